// The sandbox workspace's state, in memory: channel messages and their threads, ephemeral messages per user,
// open modals per user, App Home views, and a change feed the browser page follows (version + subscribers).
import type { JsonObject } from './json.ts';
import { SANDBOX_CHANNELS, SANDBOX_USERS, type SandboxChannel, type SandboxUser } from './people.ts';
import type { EphemeralMessage, Listener, MessageContent, SandboxMessage, StoredView } from './workspace-types.ts';

export { SANDBOX_APPROVERS, SANDBOX_BOT, SANDBOX_CHANNELS, SANDBOX_SHORTCUTS, SANDBOX_USERS } from './people.ts';
export type { SandboxChannel, SandboxUser } from './people.ts';
export type { EphemeralMessage, Listener, MessageContent, SandboxMessage, StoredView } from './workspace-types.ts';

export class Workspace {
  readonly users: readonly SandboxUser[] = SANDBOX_USERS;
  readonly channels: readonly SandboxChannel[];
  private readonly messagesByChannel = new Map<string, SandboxMessage[]>();
  private ephemerals: EphemeralMessage[] = [];
  private readonly modals = new Map<string, StoredView>();
  private readonly homes = new Map<string, StoredView>();
  private readonly listeners = new Set<Listener>();
  private lastMicros = 0;
  private viewSeq = 0;
  version = 0;

  /** `extraChannels`: more channels than the two standard ones (tests with many runs, private channels). */
  constructor(
    private readonly now: () => number = Date.now,
    extraChannels: readonly SandboxChannel[] = [],
  ) {
    this.channels = [...SANDBOX_CHANNELS, ...extraChannels];
  }

  user(id: string): SandboxUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  /** By id, or by name with or without `#` (chat.postMessage accepts both). */
  channel(idOrName: string): SandboxChannel | undefined {
    const name = idOrName.replace(/^#/, '');
    return this.channels.find((c) => c.id === idOrName || c.name === name);
  }

  /** Slack's ts: seconds.microseconds, strictly increasing so ordering by ts is ordering by time. */
  newTs(): string {
    this.lastMicros = Math.max(this.now() * 1000, this.lastMicros + 1);
    return `${Math.floor(this.lastMicros / 1e6)}.${String(this.lastMicros % 1e6).padStart(6, '0')}`;
  }

  post(message: Omit<SandboxMessage, 'ts'>): SandboxMessage {
    const stored: SandboxMessage = { ...message, ts: this.newTs() };
    const list = this.messagesByChannel.get(message.channel) ?? [];
    list.push(stored);
    this.messagesByChannel.set(message.channel, list);
    this.changed();
    return stored;
  }

  message(channel: string, ts: string): SandboxMessage | undefined {
    return this.messagesByChannel.get(channel)?.find((m) => m.ts === ts);
  }

  /** chat.update: the message keeps its ts and place; omitted fields are kept, like Slack. */
  update(channel: string, ts: string, change: Partial<MessageContent> & { metadata?: unknown }): SandboxMessage | undefined {
    const m = this.message(channel, ts);
    if (!m) return undefined;
    if (change.text !== undefined) m.text = change.text;
    if (change.blocks !== undefined) m.blocks = change.blocks;
    if (change.metadata !== undefined) m.metadata = change.metadata;
    m.edited = { ts: this.newTs() };
    this.changed();
    return m;
  }

  delete(channel: string, ts: string): boolean {
    const list = this.messagesByChannel.get(channel) ?? [];
    const kept = list.filter((m) => m.ts !== ts && m.threadTs !== ts);
    this.messagesByChannel.set(channel, kept);
    if (kept.length !== list.length) this.changed();
    return kept.length !== list.length;
  }

  /** Top-level messages of a channel (thread replies excluded, unless also sent to the channel), oldest first. */
  history(channel: string): SandboxMessage[] {
    return (this.messagesByChannel.get(channel) ?? []).filter((m) => !m.threadTs || m.broadcast);
  }

  replies(channel: string, threadTs: string): SandboxMessage[] {
    return (this.messagesByChannel.get(channel) ?? []).filter((m) => m.threadTs === threadTs);
  }

  postEphemeral(message: Omit<EphemeralMessage, 'ts'>): EphemeralMessage {
    const stored: EphemeralMessage = { ...message, ts: this.newTs() };
    this.ephemerals.push(stored);
    this.changed();
    return stored;
  }

  ephemeral(ts: string): EphemeralMessage | undefined {
    return this.ephemerals.find((e) => e.ts === ts);
  }

  /** Ephemeral messages stay ephemeral when replaced (response_url replace_original). */
  replaceEphemeral(ts: string, content: MessageContent): EphemeralMessage | undefined {
    const e = this.ephemeral(ts);
    if (!e) return undefined;
    e.text = content.text;
    e.blocks = content.blocks;
    this.changed();
    return e;
  }

  deleteEphemeral(ts: string): boolean {
    const before = this.ephemerals.length;
    this.ephemerals = this.ephemerals.filter((e) => e.ts !== ts);
    if (before !== this.ephemerals.length) this.changed();
    return before !== this.ephemerals.length;
  }

  ephemeralsFor(user: string, channel?: string): EphemeralMessage[] {
    return this.ephemerals.filter((e) => e.user === user && (channel === undefined || e.channel === channel));
  }

  /** One modal per person (views.push is not emulated): opening another replaces it. */
  openModal(user: string, view: JsonObject): StoredView {
    const stored: StoredView = { id: `V0SB${String(++this.viewSeq).padStart(6, '0')}`, user, hash: this.newTs(), view, errors: {} };
    this.modals.set(user, stored);
    this.changed();
    return stored;
  }

  findView(id: string): StoredView | undefined {
    return [...this.modals.values(), ...this.homes.values()].find((v) => v.id === id);
  }

  /** views.update, or a `response_action: update`: same id, new content, new hash, errors cleared. */
  replaceView(id: string, view: JsonObject): StoredView | undefined {
    const stored = this.findView(id);
    if (!stored) return undefined;
    Object.assign(stored, { view, hash: this.newTs(), errors: {}, notice: undefined, draft: undefined });
    this.changed();
    return stored;
  }

  setViewErrors(id: string, errors: Record<string, string>, notice?: string, draft?: StoredView['draft']): void {
    const stored = this.findView(id);
    if (!stored) return;
    Object.assign(stored, { errors, notice, draft: draft ?? stored.draft });
    this.changed();
  }

  modalFor(user: string): StoredView | undefined {
    return this.modals.get(user);
  }

  closeModal(user: string): void {
    if (this.modals.delete(user)) this.changed();
  }

  publishHome(user: string, view: JsonObject): StoredView {
    const existing = this.homes.get(user);
    const stored: StoredView = {
      id: existing?.id ?? `V0SB${String(++this.viewSeq).padStart(6, '0')}`,
      user,
      hash: this.newTs(),
      view,
      errors: {},
    };
    this.homes.set(user, stored);
    this.changed();
    return stored;
  }

  homeFor(user: string): StoredView | undefined {
    return this.homes.get(user);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.unsubscribe(listener);
  }

  unsubscribe(listener: Listener): void {
    this.listeners.delete(listener);
  }

  private changed(): void {
    this.version++;
    for (const listener of [...this.listeners]) {
      try {
        listener(this.version);
      } catch {
        // A broken subscriber (a closed browser stream) must not break the Web API call that changed state.
      }
    }
  }
}
