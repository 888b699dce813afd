// Lighthouse (default mobile settings) on the release build's first pages: the four scores,
// LCP and the bytes a first visit transfers, against issue 18's goals. Run by `make lighthouse`.
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../end2end/tests/support/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
process.env.PORTCULLIS_BIN ??= path.join(root, 'target/release/portcullis');

const GOALS = { performance: 95, accessibility: 100, 'best-practices': 90, seo: 95 };
const LCP_GOAL_MS = 2000;
const BYTES_GOAL = 250 * 1024;

const server = await startServer({ demo: true });
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
});
let missed = 0;
try {
  for (const page of ['/', '/login']) {
    const { lhr } = await lighthouse(`${server.url}${page}`, { port: chrome.port, output: 'json', logLevel: 'error' });
    const line = [`lighthouse ${page.padEnd(7)}`];
    for (const [id, goal] of Object.entries(GOALS)) {
      const score = Math.round(lhr.categories[id].score * 100);
      if (score < goal) missed += 1;
      line.push(`${id} ${score} (goal ≥ ${goal}${score < goal ? ', MISSED' : ''})`);
    }
    const lcp = lhr.audits['largest-contentful-paint'].numericValue;
    const bytes = lhr.audits['total-byte-weight'].numericValue;
    if (lcp > LCP_GOAL_MS) missed += 1;
    if (bytes > BYTES_GOAL) missed += 1;
    line.push(`LCP ${(lcp / 1000).toFixed(1)} s (goal ≤ 2.0 s${lcp > LCP_GOAL_MS ? ', MISSED' : ''})`);
    line.push(`transferred ${Math.round(bytes / 1024)} KiB (goal ≤ 250 KiB${bytes > BYTES_GOAL ? ', MISSED' : ''})`);
    console.log(line.join(' · '));
    if (bytes > BYTES_GOAL || process.env.LIGHTHOUSE_REQUESTS) {
      // Where the bytes went, largest first.
      for (const r of [...lhr.audits['network-requests'].details.items].sort((a, b) => b.transferSize - a.transferSize)) {
        console.log(`  ${String(Math.round(r.transferSize / 1024)).padStart(4)} KiB  ${r.url.replace(server.url, '')}`);
      }
    }
    if (lcp > LCP_GOAL_MS || process.env.LIGHTHOUSE_REQUESTS) {
      // Which element painted last, and how its time splits (TTFB, load delay, load, render delay).
      for (const table of lhr.audits['largest-contentful-paint-element'].details?.items ?? []) {
        for (const item of table.items ?? []) {
          if (item.node) console.log(`  LCP element: ${item.node.snippet} (${item.node.selector})`);
          if (item.phase) console.log(`  LCP ${item.phase}: ${Math.round(item.timing)} ms`);
        }
      }
    }
    // What cost points, so a missed goal says where to look.
    for (const [id, goal] of Object.entries(GOALS)) {
      if (Math.round(lhr.categories[id].score * 100) >= goal) continue;
      const failing = lhr.categories[id].auditRefs
        .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id].score ?? 1) < 1)
        .map((ref) => `${ref.id} (${lhr.audits[ref.id].displayValue ?? lhr.audits[ref.id].score})`);
      console.log(`  ${id}: ${failing.join(', ')}`);
    }
  }
} finally {
  await chrome.kill();
  await server.stop();
}
process.exitCode = missed ? 1 : 0;
