#!/usr/bin/env bash
# The packages' contents as dpkg sees them (dpkg-deb -c/-I/-f): every file
# where the agreed paths say, with owner and mode; nothing else; conffiles
# exactly the files under /etc; Depends naming the package of every library
# the binaries link (found here by readelf and dpkg -S, not by shlibdeps)
# plus what the kiosk needs at run time; binaries stripped; man pages
# gzipped and readable.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expected PKG: the files (not folders) PKG must hold, one a line, sorted.
expected() {
	local p=$1 c=${1#wufei-} m
	{
		echo "/usr/share/doc/$p/copyright"
		echo "/usr/share/doc/$p/changelog.gz"
		case $p in
		wufei-common)
			for l in zh_CN en; do echo "/usr/share/locale/C.UTF-8/LC_MESSAGES/wufei-$l.mo"; done
			;;
		*)
			echo "/usr/bin/$p"
			for m in "$SRC"/packaging/man/"$p".[1-8]; do
				[ -e "$m" ] || continue
				echo "/usr/share/man/man${m##*.}/$(basename "$m").gz"
			done
			;;
		esac
		case $c in kiosk | central)
			echo "/usr/lib/sysusers.d/$p.conf"
			echo "/usr/lib/tmpfiles.d/$p.conf"
			for u in "$SRC"/packaging/systemd/"$p"*.service; do
				[ -e "$u" ] && echo "/lib/systemd/system/$(basename "$u")"
			done
			;;
		esac
		case $c in
		kiosk)
			echo /etc/wufei/kiosk.ini
			for r in "$SRC"/packaging/udev/*.rules; do
				[ -e "$r" ] && echo "/lib/udev/rules.d/$(basename "$r")"
			done
			;;
		central) [ -e "$SRC/packaging/etc/central.ini" ] && echo /etc/wufei/central.ini ;;
		esac
	} | sort
}

for p in $PKGS; do
	d=$(deb "$p")
	[ "$(dpkg-deb -f "$d" Package)" = "$p" ] || fail "$d: Package is not $p"
	dpkg-deb -c "$d" >"$tmp/$p.list"
	# every entry root/root; folders 0755; programs 0755; other files 0644
	awk -v p="$p" '{
		if ($2 != "root/root") { print p ": " $6 " is owned by " $2; bad = 1 }
		t = substr($1, 1, 1); want = (t == "d") ? "drwxr-xr-x" : "-rw-r--r--"
		if (t != "d" && $6 ~ /^\.\/usr\/bin\//) want = "-rwxr-xr-x"
		if ($1 != want) { print p ": " $6 " has mode " $1 ", not " want; bad = 1 }
	} END { exit bad }' "$tmp/$p.list" || fail "$p: owners or modes wrong (above)"
	awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' "$tmp/$p.list" | sort >"$tmp/$p.files"
	expected "$p" >"$tmp/$p.want"
	diff -u "$tmp/$p.want" "$tmp/$p.files" >&2 ||
		fail "$p: files differ from the expected list (- expected, + in the package)"
	ok "$p: $(wc -l <"$tmp/$p.files") files, each where expected, root/root, modes right"

	# conffiles: exactly the files under /etc
	dpkg-deb --ctrl-tarfile "$d" | tar -x -C "$tmp" --one-top-level="$p.ctrl"
	grep '^/etc/' "$tmp/$p.files" >"$tmp/$p.etc" || true
	touch "$tmp/$p.ctrl/conffiles"
	sort "$tmp/$p.ctrl/conffiles" | diff -u "$tmp/$p.etc" - >&2 ||
		fail "$p: conffiles differ from the files under /etc (- /etc, + conffiles)"
	ok "$p: conffiles = the $(wc -l <"$tmp/$p.etc") file(s) under /etc"
	dpkg-deb -x "$d" "$tmp/$p.root"
done

# Depends: the package of every library a program links, by readelf.
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for p in wufei-kiosk wufei-central wufei-devsim; do
	d=$(deb "$p")
	bin=$tmp/$p.root/usr/bin/$p
	depends=$(dpkg-deb -f "$d" Depends)
	readelf -S "$bin" | grep -q '\.symtab' && fail "$p: /usr/bin/$p is not stripped"
	readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' >"$tmp/$p.needed"
	[ -s "$tmp/$p.needed" ] || fail "$p: readelf found no libraries in /usr/bin/$p"
	while read -r so; do
		owner=$(dpkg -S "*/$so" 2>/dev/null | grep -E "^[^ ]*: (/usr)?/lib/($ma/)?$so\$" |
			head -1 | cut -d: -f1) || true
		[ -n "$owner" ] || fail "$p: no package on this machine holds $so"
		printf '%s\n' "$depends" | tr ',' '\n' | sed 's/^ *//; s/[ (].*//' |
			grep -qx "$owner" || fail "$p links $so ($owner) but Depends lacks it: $depends"
	done <"$tmp/$p.needed"
	ok "$p: stripped; Depends names the package of each of $(wc -l <"$tmp/$p.needed") linked libraries"
done
v=$(dpkg-deb -f "$(deb wufei-kiosk)" Version)
for p in wufei-kiosk wufei-central; do
	dep=$(dpkg-deb -f "$(deb "$p")" Depends)
	case ", $dep," in *", wufei-common (= $v),"*) ;; *) fail "$p: Depends lacks wufei-common (= $v): $dep" ;; esac
done
kdep=$(dpkg-deb -f "$(deb wufei-kiosk)" Depends)
for need in fonts-noto-cjk cage libegl1 libgl1-mesa-dri; do
	printf '%s\n' "$kdep" | tr ',' '\n' | sed 's/^ *//; s/[ (].*//' | grep -qx "$need" ||
		fail "wufei-kiosk: Depends lacks $need: $kdep"
done
dpkg-deb -f "$(deb wufei-central)" Suggests | grep -q postgresql || fail "wufei-central: no Suggests: postgresql"
dpkg-deb -f "$(deb wufei-kiosk)" Recommends | grep -q systemd-timesyncd || fail "wufei-kiosk: no Recommends: systemd-timesyncd"
[ "$(dpkg-deb -f "$(deb wufei-common)" Architecture)" = all ] || fail "wufei-common is not Architecture: all"
ok "the kiosk and central depend on wufei-common $v; the kiosk on fonts-noto-cjk, cage and SDL's EGL/Mesa"

# man pages: gzip -9n (no name, no time), and man reads them without a warning
for gz in "$tmp"/*.root/usr/share/man/man*/*.gz; do
	[ -e "$gz" ] || continue
	gzip -t "$gz" || fail "$gz: not gzip"
	# gzip -n: no file name stored (flag byte 3 has no FNAME bit), time 0
	[ "$(od -An -tu1 -j3 -N1 "$gz" | tr -d ' ')" = 0 ] || fail "$gz: not made with gzip -n"
	warn=$(MANWIDTH=80 man --warnings -l "$gz" 2>&1 >/dev/null) || fail "man -l $gz failed: $warn"
	[ -z "$warn" ] || fail "man -l $gz warns: $warn"
	ok "$(basename "$gz"): gzip -9n, man reads it without a warning"
done
for p in wufei-kiosk wufei-central wufei-devsim; do
	ls "$tmp/$p.root"/usr/share/man/man*/"$p".*.gz >/dev/null 2>&1 || fail "$p ships no man page"
done
# the changelog names this version
zcat "$tmp/wufei-kiosk.root/usr/share/doc/wufei-kiosk/changelog.gz" | head -1 | grep -qF "($v)" ||
	fail "changelog.gz's first entry is not version $v"
echo "packaging contents: ok"
