// Drives Debian's Chromium through Playwright (playwright-core, no downloaded browser) for the
// Python tests: one JSON command per line on stdin, one JSON answer per line on stdout.
//
//   {"cmd": "goto", "url": "..."}                  -> {"ok": true, "value": null}
//   {"cmd": "text", "selector": "#fcwh-app h2"}    -> {"ok": true, "value": "Webhooks"}
//   anything that fails                            -> {"ok": false, "error": "..."}
//
// Environment: FCWH_CHROMIUM (default /usr/bin/chromium), FCWH_SCREENSHOTS (folder for PNGs),
// FCWH_BROWSER_TIMEOUT_MS (per action, default 60000: the machine is shared and slow at times).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const executablePath = process.env.FCWH_CHROMIUM || '/usr/bin/chromium';
const screenshots = process.env.FCWH_SCREENSHOTS || join(process.cwd(), 'screenshots');
const timeout = Number(process.env.FCWH_BROWSER_TIMEOUT_MS || 60000);

const profile = mkdtempSync(join(tmpdir(), 'fcwh-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 900 },
  locale: 'en-US',
  timezoneId: 'UTC',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
context.setDefaultTimeout(timeout);
const page = context.pages()[0] || await context.newPage();

// What went wrong in the page itself: uncaught exceptions and console errors.
const problems = [];
page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
page.on('console', (message) => {
  if (message.type() === 'error') problems.push(`console: ${message.text()}`);
});

// window.confirm() (delete asks first): accepted unless told otherwise, and remembered.
let acceptDialogs = true;
const dialogs = [];
page.on('dialog', (dialog) => {
  dialogs.push(dialog.message());
  (acceptDialogs ? dialog.accept() : dialog.dismiss()).catch(() => {});
});

const one = (selector) => page.locator(selector);
const commands = {
  goto: async ({ url }) => { await page.goto(url, { waitUntil: 'load' }); return page.url(); },
  url: async () => page.url(),
  click: async ({ selector }) => { await one(selector).click(); },
  fill: async ({ selector, value }) => { await one(selector).fill(value); },
  check: async ({ selector }) => { await one(selector).check(); },
  uncheck: async ({ selector }) => { await one(selector).uncheck(); },
  select: async ({ selector, value }) => { await one(selector).selectOption(value); },
  focus: async ({ selector }) => { await one(selector).focus(); },
  press: async ({ key }) => { await page.keyboard.press(key); },
  type: async ({ text }) => { await page.keyboard.type(text); },
  text: async ({ selector }) => one(selector).innerText(),
  texts: async ({ selector }) => page.locator(selector).allInnerTexts(),
  value: async ({ selector }) => one(selector).inputValue(),
  attribute: async ({ selector, name }) => one(selector).getAttribute(name),
  count: async ({ selector }) => page.locator(selector).count(),
  html: async () => page.content(),
  waitFor: async ({ selector, state = 'visible', text }) => {
    const locator = text === undefined ? page.locator(selector) : page.locator(selector, { hasText: text });
    await locator.first().waitFor({ state });
  },
  eval: async ({ expression }) => page.evaluate(expression),
  screenshot: async ({ name }) => {
    mkdirSync(screenshots, { recursive: true });
    const path = join(screenshots, `${name}.png`);
    // From the top: WordPress pins its admin bar and menu, which a scrolled full-page shot smears.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path, fullPage: true });
    return path;
  },
  dialogs: async ({ accept }) => { acceptDialogs = accept; return dialogs.splice(0); },
  problems: async () => problems.splice(0),
};

async function close() {
  await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    const request = JSON.parse(line);
    if (request.cmd === 'close') break;
    const command = commands[request.cmd];
    if (!command) throw new Error(`unknown command ${request.cmd}`);
    const value = await command(request);
    answer = { ok: true, value: value === undefined ? null : value };
  } catch (error) {
    answer = { ok: false, error: String(error && error.message ? error.message : error) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
await close();
// Exit once the answer is written: the open stdin would otherwise keep Node running until the
// caller gives up waiting for it.
process.stdout.write(JSON.stringify({ ok: true, value: 'closed' }) + '\n', () => process.exit(0));
