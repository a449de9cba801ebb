// Runs axe-core on pages in Debian's Chromium and prints what it found as one JSON document.
//
// usage: node axe.js CHROMIUM URL WIDTHxHEIGHT [URL WIDTHxHEIGHT ...]
//
// Each page is loaded at the given viewport, axe-core runs with its WCAG 2.0/2.1 A and AA rules
// and best practices, and every violation is reported with its impact and the elements it
// names. The verdict (which impacts fail) is the caller's: tests/a11y.rs. The npm packages
// axe-core and puppeteer-core are found through NODE_PATH (scripts/setup.sh installs them).
'use strict';

const puppeteer = require('puppeteer-core');
const axeSource = require('fs').readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** One page: load, inject axe-core, run it, keep what a person needs to fix each violation. */
async function check(browser, url, size) {
  const [width, height] = size.split('x').map(Number);
  const page = await browser.newPage();
  try {
    await page.setViewport({ width, height });
    await page.goto(url, { waitUntil: 'load', timeout: 30000 });
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(() =>
      window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
        resultTypes: ['violations'],
      })
    );
    return {
      url,
      size,
      passes: result.passes.length,
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 8).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
        count: v.nodes.length,
      })),
    };
  } finally {
    await page.close();
  }
}

async function main() {
  const [chromium, ...rest] = process.argv.slice(2);
  if (!chromium || rest.length === 0 || rest.length % 2 !== 0) {
    console.error('usage: node axe.js CHROMIUM URL WIDTHxHEIGHT [URL WIDTHxHEIGHT ...]');
    process.exit(2);
  }
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const pages = [];
    for (let i = 0; i < rest.length; i += 2) {
      pages.push(await check(browser, rest[i], rest[i + 1]));
    }
    process.stdout.write(JSON.stringify({ axe: require('axe-core/package.json').version, pages }) + '\n');
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(`axe.js: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
