// pages.mjs BASE_URL SHOTS_DIR EXPECT_JSON — the office pages in headless
// Chromium (Debian's chromium, driven with puppeteer-core): every page of
// EXPECT_JSON in Chinese and English must answer 200 in that language with
// no script at all, show the texts the seeded data gives, have no serious or
// critical axe-core violation, and leave a full-page screenshot
// SHOTS_DIR/<page>-<lang>.png; the skip link and the print view, the
// language switch and its cookie, the Accept-Language choice, and the CSV
// download (BOM, header, a row) too.
// Node 18 or newer (Debian 12's nodejs). Run from the folder whose
// node_modules npm-setup.sh filled. Exits 1 listing every failure.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const puppeteer = require('puppeteer-core');
const axePath = require.resolve('axe-core/axe.min.js');

const [base, shots, expectFile] = process.argv.slice(2);
const expect = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
const failures = [];
const fail = (what) => {
  failures.push(what);
  console.log(`FAIL ${what}`);
};
fs.mkdirSync(shots, { recursive: true });

function withLang(p, lang) {
  return `${base}${p}${p.includes('?') ? '&' : '?'}lang=${lang}`;
}

// The page's violations axe-core calls serious or critical.
async function axeCheck(page, label) {
  await page.addScriptTag({ path: axePath });
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  for (const v of res) {
    const line = `${label}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(', ')}`;
    if (v.impact === 'serious' || v.impact === 'critical') fail(line);
    else console.log(`note ${line}`);
  }
}

async function checkPage(page, spec, lang) {
  const label = `${spec.name} [${lang}]`;
  const resp = await page.goto(withLang(spec.path, lang), { waitUntil: 'load' });
  if (!resp || resp.status() !== 200) {
    fail(`${label}: status ${resp ? resp.status() : 'none'}`);
    return;
  }
  const facts = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    scripts: document.scripts.length,
    text: document.body.innerText,
    h1: document.querySelectorAll('h1').length,
    main: document.querySelectorAll('main').length,
  }));
  const wantLang = lang === 'zh' ? 'zh-CN' : 'en';
  if (facts.lang !== wantLang) fail(`${label}: <html lang=${facts.lang}>, want ${wantLang}`);
  if (facts.scripts !== 0) fail(`${label}: ${facts.scripts} script element(s); pages need none`);
  if (facts.h1 !== 1 || facts.main !== 1) fail(`${label}: ${facts.h1} h1, ${facts.main} main`);
  for (const want of spec[lang]) {
    if (!facts.text.includes(want)) fail(`${label}: does not show "${want}"`);
  }
  await page.screenshot({ path: path.join(shots, `${spec.name}-${lang}.png`), fullPage: true });
  await axeCheck(page, label);
}

// A keyboard user's first Tab shows the skip link, which takes them to the
// main content; printed, the page drops the header's controls and keeps the
// figures (a screenshot of the print view is kept too).
async function checkKeyboardAndPrint(page) {
  await page.goto(`${base}/office/?lang=en`, { waitUntil: 'load' });
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const a = document.activeElement;
    const r = a.getBoundingClientRect();
    return { cls: a.className, left: r.left, width: r.width };
  });
  if (skip.cls !== 'skip' || skip.left < 0 || skip.width === 0) {
    fail(`first Tab: ${JSON.stringify(skip)}, want the visible skip link`);
  }
  await page.keyboard.press('Enter');
  const at = await page.evaluate(() => document.activeElement.id);
  if (at !== 'main') fail(`the skip link leads to "${at}", want main`);
  await page.emulateMediaType('print');
  const printed = await page.evaluate(() => ({
    nav: getComputedStyle(document.querySelector('header nav')).display,
    form: getComputedStyle(document.querySelector('main form')).display,
    table: getComputedStyle(document.querySelector('main table')).display,
  }));
  if (printed.nav !== 'none' || printed.form !== 'none' || printed.table === 'none') {
    fail(`print view: ${JSON.stringify(printed)}`);
  }
  await page.screenshot({ path: path.join(shots, 'dashboard-print-en.png'), fullPage: true });
  await page.emulateMediaType(null);
}

// The header's switch opens the page in the other language and the cookie
// keeps it for the next page; with no cookie, Accept-Language chooses.
async function checkLanguageChoice(browser) {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'en-GB,en;q=0.9' });
  await page.goto(`${base}/office/kiosks`, { waitUntil: 'load' });
  let lang = await page.evaluate(() => document.documentElement.lang);
  if (lang !== 'en') fail(`Accept-Language en-GB gave lang=${lang}`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a.lang')]);
  lang = await page.evaluate(() => document.documentElement.lang);
  if (lang !== 'zh-CN') fail(`the switch from English gave lang=${lang}`);
  await page.goto(`${base}/office/alerts`, { waitUntil: 'load' });
  lang = await page.evaluate(() => document.documentElement.lang);
  if (lang !== 'zh-CN') fail(`after the switch the next page (cookie) is lang=${lang}`);
  await ctx.close();
}

// The dashboard's download link gives a CSV file as the office opens it.
async function checkDownload(browser) {
  const dir = fs.mkdtempSync(path.join(shots, 'download-'));
  const page = await browser.newPage();
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', {
    behavior: 'allow',
    downloadPath: dir,
    eventsEnabled: true,
  });
  const done = new Promise((resolve) => {
    cdp.on('Browser.downloadProgress', (e) => {
      if (e.state === 'completed' || e.state === 'canceled') resolve(e.state);
    });
  });
  const day = new URL(expect.csv.path, base).searchParams.get('day');
  await page.goto(`${base}/office/?lang=en&day=${day}`, { waitUntil: 'load' });
  await page.click(`a[href="${expect.csv.path}"]`);
  const state = await done;
  if (state !== 'completed') {
    fail(`CSV download ${state}`);
    return;
  }
  const files = fs.readdirSync(dir);
  if (files.length !== 1 || !files[0].endsWith('.csv')) {
    fail(`CSV download: files ${files.join(', ')}`);
    return;
  }
  const bytes = fs.readFileSync(path.join(dir, files[0]));
  if (bytes[0] !== 0xef || bytes[1] !== 0xbb || bytes[2] !== 0xbf) fail('CSV: no UTF-8 BOM');
  const lines = bytes.toString('utf8').replace(/^\uFEFF/, '').split('\r\n');
  if (lines[0] !== expect.csv.header) fail(`CSV header: ${lines[0]}`);
  if (!lines.includes(expect.csv.row)) fail(`CSV lacks the row ${expect.csv.row}`);
  console.log(`ok CSV ${files[0]}: ${lines.length - 2} rows`);
  await page.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

const browser = await puppeteer.launch({
  executablePath: process.env.WUFEI_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 768 });
  await page.setBypassCSP(true); // axe-core is a script; the pages' CSP refuses scripts
  for (const spec of expect.pages) {
    for (const lang of ['zh', 'en']) {
      const before = failures.length;
      await checkPage(page, spec, lang);
      if (failures.length === before) console.log(`ok ${spec.name} [${lang}]`);
    }
  }
  await checkKeyboardAndPrint(page);
  await checkLanguageChoice(browser);
  await checkDownload(browser);
} catch (e) {
  fail(`error: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}
console.log(
  `${expect.pages.length} pages in 2 languages, keyboard and print, the language choice, the download`,
);
if (failures.length) {
  console.log(`${failures.length} failure(s)`);
  process.exit(1);
}
