// Debian's Chromium driven by playwright-core (its own browser download cannot work here).
import { chromium } from 'playwright-core';

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * A fresh browser context (own cookies, `options` such as permissions) with a page that records
 * console errors and CSP violations.
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // Refused requests (4xx) are expected in some tests; the browser logs each of them.
    const expected = /Failed to load resource: the server responded with a status of 4\d\d/.test(message.text());
    if (message.type() === 'error' && !expected) page.problems.push(`console: ${message.text()}`);
  });
  return page;
}

/** Waits until the WebAssembly has hydrated the page, so clicks go through the client-side code. */
export async function waitForHydration(page) {
  try {
    await page.waitForFunction(() => document.documentElement.dataset.hydrated === 'true', null, { timeout: 30_000 });
  } catch (error) {
    throw new Error(`${page.url()} did not hydrate: ${error.message}\n${(page.problems ?? []).join('\n')}`);
  }
}

/**
 * With PORTCULLIS_SCREENSHOTS set to a directory, saves full-page screenshots of `page` at
 * 1280 px and 390 px as `<name>-<width>.png`, for looking at what a test went through.
 */
export async function screenshots(page, name) {
  const dir = process.env.PORTCULLIS_SCREENSHOTS;
  if (!dir) return;
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${dir}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
