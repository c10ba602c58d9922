import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SHORTCUT } from '../src/blocks/ids.ts';

type Manifest = {
  display_information: { name: string; description: string };
  features: {
    app_home: { home_tab_enabled: boolean };
    bot_user: { display_name: string };
    slash_commands: { command: string; description: string }[];
    shortcuts: { callback_id: string; type: string; name: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean; event_subscriptions: { bot_events: string[] } };
};

describe('manifest.yml', () => {
  const m = parse(readFileSync('manifest.yml', 'utf8')) as Manifest;

  it('declares the one /caracal command, interactivity, and the message shortcut the code listens for', () => {
    expect(m.features.slash_commands.map((c) => c.command)).toEqual(['/caracal']);
    expect(m.settings.interactivity.is_enabled).toBe(true);
    expect(m.features.shortcuts).toEqual([expect.objectContaining({ type: 'message', callback_id: SHORTCUT.addToIncidentLog })]);
  });

  it('asks only for the bot scopes the code uses', () => {
    expect(m.oauth_config.scopes.bot.sort()).toEqual([
      'channels:history',
      'channels:read',
      'chat:write',
      'chat:write.public',
      'commands',
      'groups:history',
      'groups:read',
      'usergroups:read',
      'users:read',
    ]);
  });

  it('turns on the Home tab and subscribes to app_home_opened, the one event the bot listens for', () => {
    expect(m.features.app_home.home_tab_enabled).toBe(true);
    expect(m.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
  });

  it('respects the manifest schema limits', () => {
    expect(m.display_information.name.length).toBeLessThanOrEqual(35);
    expect(m.display_information.description.length).toBeLessThanOrEqual(140);
    expect(m.features.shortcuts.every((s) => s.name.length <= 24)).toBe(true);
    expect(m.features.slash_commands.every((c) => c.command.length <= 32 && c.description.length > 0)).toBe(true);
  });
});
