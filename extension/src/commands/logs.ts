// Tail Logs: one output channel per service, fed live by `amldeploy/log` notifications.
import * as vscode from 'vscode';
import { LOGS_START, LOGS_STOP, LogNotification, LogsStartResult } from '../client/protocol';
import { ServerManager } from '../client/server';

interface Stream {
  id: string;
  name: string;
}

export class LogStreams implements vscode.Disposable {
  private readonly channels = new Map<string, vscode.OutputChannel>();
  private readonly streams = new Map<string, Stream>(); // stream id → stream
  private readonly received = new vscode.EventEmitter<LogNotification>();
  readonly onDidReceive = this.received.event;

  constructor(private readonly server: ServerManager) {}

  channel(name: string): vscode.OutputChannel {
    let channel = this.channels.get(name);
    if (channel === undefined) {
      channel = vscode.window.createOutputChannel(`amldeploy: ${name}`, 'log');
      this.channels.set(name, channel);
    }
    return channel;
  }

  isFollowing(name: string): boolean {
    return [...this.streams.values()].some((s) => s.name === name);
  }

  following(): string[] {
    return [...new Set([...this.streams.values()].map((s) => s.name))];
  }

  async start(name: string, tail = 200): Promise<void> {
    const channel = this.channel(name);
    channel.show(true);
    if (this.isFollowing(name)) {
      return;
    }
    channel.appendLine(`[amldeploy] following the log of ${name} (last ${tail} lines, then live)`);
    const result = await this.server.request<LogsStartResult>(LOGS_START, { name, tail });
    this.streams.set(result.stream, { id: result.stream, name });
  }

  async stop(name: string): Promise<void> {
    for (const stream of [...this.streams.values()].filter((s) => s.name === name)) {
      this.streams.delete(stream.id);
      await this.server.request(LOGS_STOP, { stream: stream.id }).catch(() => undefined);
      this.channel(name).appendLine('[amldeploy] stopped following the log');
    }
  }

  // Called for every `amldeploy/log` notification.
  handle(note: LogNotification): void {
    const stream = this.streams.get(note.stream);
    if (stream === undefined) {
      return; // a stream stopped here: its last batch is not wanted
    }
    const channel = this.channel(stream.name);
    for (const line of note.lines) {
      channel.appendLine(line);
    }
    if (note.ended === true) {
      this.streams.delete(note.stream);
      channel.appendLine('[amldeploy] the log stream ended: the service stopped');
    }
    this.received.fire(note);
  }

  // The server went away: its streams with it.
  serverStopped(): void {
    for (const stream of this.streams.values()) {
      this.channel(stream.name).appendLine('[amldeploy] the language server stopped; run Tail Logs again to follow');
    }
    this.streams.clear();
  }

  showLines(name: string, lines: string[]): void {
    const channel = this.channel(name);
    channel.appendLine(`[amldeploy] --- last ${lines.length} lines ---`);
    lines.forEach((line) => {
      channel.appendLine(line);
    });
    channel.show(true);
  }

  dispose(): void {
    this.channels.forEach((c) => {
      c.dispose();
    });
    this.received.dispose();
  }
}
