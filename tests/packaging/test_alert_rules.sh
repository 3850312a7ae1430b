#!/usr/bin/env bash
# test_alert_rules.sh — the alert rules in docs/OPERATIONS.md ("Metrics and
# alerts", its ```yaml block) are a valid Prometheus rule file
# (promtool check rules), and each alert fires on a bad series and not on a
# good one (promtool test rules: exp_alerts lists exactly the alerts that
# must fire, so an alert on a good kiosk fails the test too).
# Usage: test_alert_rules.sh SOURCE_DIR. Needs promtool (Debian: prometheus).
set -euo pipefail
src=$1
dir=$(mktemp -d /tmp/wufei-alert-rules.XXXXXX)
trap 'rm -rf "$dir"' EXIT

# the first ```yaml block of the section
awk '/^## Metrics and alerts/ { s = 1; next }
     s && /^## / { exit }
     s && /^```yaml$/ { y = 1; next }
     y && /^```$/ { exit }
     y { print }' "$src/docs/OPERATIONS.md" >"$dir/wufei.rules.yml"
[ -s "$dir/wufei.rules.yml" ] || { echo "FAIL: no yaml block in Metrics and alerts" >&2; exit 1; }
promtool check rules "$dir/wufei.rules.yml"

# every alert of the file is tested below
sed -n 's/^ *- alert: *//p' "$dir/wufei.rules.yml" >"$dir/alerts"
[ -s "$dir/alerts" ] || { echo "FAIL: no alert in the rules" >&2; exit 1; }
while read -r a; do
  grep -q "alertname: $a\$" "$0" || { echo "FAIL: alert $a has no test" >&2; exit 1; }
done <"$dir/alerts"

# kiosk 1 (k1) goes bad in every way; kiosk 2 (k2) stays good; kiosk 3 (k3)
# never syncs. All evaluated at 60 minutes, one sample a minute.
cat >"$dir/test.yml" <<'YAML'
rule_files: [wufei.rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      # the kiosk program stops writing at 10 min (k1); k2 writes on
      - series: 'wufei_kiosk_metrics_timestamp_seconds{kiosk="1",instance="k1"}'
        values: '0+60x10 600x50'
      - series: 'wufei_kiosk_metrics_timestamp_seconds{kiosk="2",instance="k2"}'
        values: '0+60x60'
      - series: 'wufei_kiosk_sync_enabled{kiosk="1",instance="k1"}'
        values: '1x60'
      - series: 'wufei_kiosk_sync_enabled{kiosk="2",instance="k2"}'
        values: '1x60'
      - series: 'wufei_kiosk_sync_enabled{kiosk="3",instance="k3"}'
        values: '1x60'
      # k1's last success gets older; k2 syncs every half minute
      - series: 'wufei_kiosk_sync_last_success_age_seconds{kiosk="1",instance="k1"}'
        values: '0+60x60'
      - series: 'wufei_kiosk_sync_last_success_age_seconds{kiosk="2",instance="k2"}'
        values: '30x60'
      # k1's outbox grows; k2 holds 150 records but they do not grow
      - series: 'wufei_kiosk_outbox_records{kiosk="1",instance="k1"}'
        values: '0+10x60'
      - series: 'wufei_kiosk_outbox_records{kiosk="2",instance="k2"}'
        values: '150x60'
      # k1's scale goes down at 10 min; its card reader and k2's scale stay up
      - series: 'wufei_kiosk_device_up{kiosk="1",instance="k1",device="scale"}'
        values: '1x10 0x50'
      - series: 'wufei_kiosk_device_up{kiosk="1",instance="k1",device="card"}'
        values: '1x60'
      - series: 'wufei_kiosk_device_up{kiosk="2",instance="k2",device="scale"}'
        values: '1x60'
      - series: 'wufei_kiosk_conflicts_held{kiosk="1",instance="k1"}'
        values: '0x30 1x30'
      - series: 'wufei_kiosk_conflicts_held{kiosk="2",instance="k2"}'
        values: '0x60'
      # central: two kiosks go silent at 20 min; its store goes away at 50 min
      - series: 'wufei_kiosks_silent{instance="central"}'
        values: '0x20 2x40'
      - series: 'wufei_kiosks_silent{instance="central2"}'
        values: '0x60'
      - series: 'wufei_store_up{instance="central"}'
        values: '1x50 0x10'
      - series: 'wufei_store_up{instance="central2"}'
        values: '1x60'
    alert_rule_test:
      - eval_time: 60m
        alertname: WufeiKioskSilent
        exp_alerts:
          - exp_labels: {severity: critical, kiosk: "1", instance: k1}
            exp_annotations:
              summary: "Kiosk 1 is not running (metrics file stale)"
              description: "systemctl status wufei-kiosk; journalctl -u wufei-kiosk -p warning"
      - eval_time: 60m
        alertname: WufeiKioskNotSyncing
        exp_alerts:
          - exp_labels: {severity: warning, kiosk: "1", instance: k1}
            exp_annotations:
              summary: "Kiosk 1 has not synced with central for over 30 minutes"
              description: "network or central down; the staff screen and the kiosk's log (journalctl -u wufei-kiosk) say why"
      - eval_time: 60m
        alertname: WufeiKioskNeverSynced
        exp_alerts:
          - exp_labels: {severity: warning, kiosk: "3", instance: k3}
            exp_annotations:
              summary: "Kiosk 3 has not synced once since it started"
              description: "check [central] url, the kiosk's enrolment and key; journalctl -u wufei-kiosk"
      - eval_time: 60m
        alertname: WufeiKioskOutboxGrowing
        exp_alerts:
          - exp_labels: {severity: warning, kiosk: "1", instance: k1}
            exp_annotations:
              summary: "Kiosk 1: records waiting for central keep growing"
              description: "the journal keeps them (nothing is lost); find why sync fails"
      - eval_time: 60m
        alertname: WufeiKioskDeviceDown
        exp_alerts:
          - exp_labels: {severity: critical, kiosk: "1", instance: k1, device: scale}
            exp_annotations:
              summary: "Kiosk 1: the scale is down"
              description: "journalctl -u wufei-kiosk WUFEI_DEVICE=scale; cable, power, /dev/wufei-*"
      - eval_time: 60m
        alertname: WufeiKioskConflictsHeld
        exp_alerts:
          - exp_labels: {severity: warning, kiosk: "1", instance: k1}
            exp_annotations:
              summary: "Kiosk 1 holds records central has differently"
              description: "wufei-kiosk ledger conflicts on the kiosk; see What each error message means"
      - eval_time: 60m
        alertname: WufeiKiosksSilent
        exp_alerts:
          - exp_labels: {severity: warning, instance: central}
            exp_annotations:
              summary: "central: kiosks have gone silent"
              description: "the office pages list which; a kiosk that is on but silent has a network problem"
      - eval_time: 60m
        alertname: WufeiCentralStoreDown
        exp_alerts:
          - exp_labels: {severity: critical, instance: central}
            exp_annotations:
              summary: "central: central cannot reach its store"
              description: "journalctl -u wufei-central -p warning; kiosks keep their records meanwhile"
      # early on nothing is wrong yet: no alert at all
      - eval_time: 5m
        alertname: WufeiKioskSilent
      - eval_time: 5m
        alertname: WufeiKioskDeviceDown
      - eval_time: 5m
        alertname: WufeiKiosksSilent
YAML
promtool test rules "$dir/test.yml"
echo ok
