// Debian's chromium driven by playwright-core (no browser download), and the moves a person makes on the sandbox
// page: type a command, click a block button (answering its confirm dialog), switch who they are.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = new URL('../../../test-artifacts/', import.meta.url);

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (as .ci/run does), or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // playwright-core gives each launch a fresh user-data-dir; these keep chromium off the network and quiet.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: false });
}

export class SandboxPage {
  constructor(readonly page: Page) {}

  async command(text: string): Promise<void> {
    await this.page.locator('#composer-input').fill(text);
    await this.page.locator('#composer-input').press('Enter');
  }

  async switchUser(userId: string): Promise<void> {
    await this.page.locator('#user-switcher').selectOption(userId);
    await this.page.locator(`#user-role[data-user="${userId}"]`).waitFor();
  }

  /** The newest message from the bot whose text matches. */
  botMessage(text: RegExp | string): Locator {
    return this.page.locator('article.sb-message[data-author="caracal"]:not([data-ephemeral])').filter({ hasText: text }).last();
  }

  ephemeral(text: RegExp | string): Locator {
    return this.page.locator('article.sb-message[data-ephemeral="true"]').filter({ hasText: text }).last();
  }

  /** Click a button of `message` by its action id (base id, any suffix), answering its confirm dialog with OK. */
  async clickButton(message: Locator, actionId: string, label?: string): Promise<void> {
    let button = message.locator(`button[data-action-id="${actionId}"], button[data-action-id^="${actionId}:"]`);
    if (label) button = button.filter({ hasText: label });
    const target = button.first();
    const confirms = (await target.getAttribute('data-confirm')) !== null;
    await target.click();
    if (confirms) await this.page.locator('[data-confirm-ok]').click();
  }

  /** The dashboard sections of one gate: its own, and its findings drawn with their buttons (block ids carry the gate). */
  gateSection(dashboard: Locator, gate: string): Locator {
    return dashboard.locator(
      `[data-block-type="section"][data-block-id^="gate_${gate}_v"], [data-block-type="section"][data-block-id^="finding_${gate}_"]`,
    );
  }

  /** All of a gate's sections as one text. */
  async gateText(dashboard: Locator, gate: string): Promise<string> {
    return (await this.gateSection(dashboard, gate).allInnerTexts()).join('\n');
  }

  /** Click a remediation under its finding, then "Run it" on the clicker's card; returns the card with the outcome. */
  async remediate(dashboard: Locator, title: string, timeout = 30_000): Promise<Locator> {
    await this.clickButton(dashboard, 'gate_remediate', title);
    const card = this.ephemeral(title);
    await card.locator('button[data-action-id="remediate_run"]').waitFor({ timeout });
    await this.clickButton(card, 'remediate_run');
    await card
      .getByText(/Succeeded|Failed|Partly/)
      .first()
      .waitFor({ timeout });
    return card;
  }
}
