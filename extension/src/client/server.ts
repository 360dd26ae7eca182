// The language server's lifecycle: resolve the interpreter, start `python -m amldeploy lsp` over stdio,
// restart it (debounced) when the interpreter or its settings change, and stop it cleanly.
import * as vscode from 'vscode';
import {
  CancellationToken,
  LanguageClient,
  LanguageClientOptions,
  ResponseError,
  RevealOutputChannelOn,
  ServerOptions,
  State as ClientState,
  TransportKind,
} from 'vscode-languageclient/node';
import { errorText, traceFor } from '../common/log';
import { SECTION, initializationOptions, launchSettings } from '../common/settings';
import { Interpreter } from '../python/interpreter';
import { FailureData, REQUEST_FAILED } from './protocol';

export const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'json' },
  { scheme: 'file', language: 'jsonc' },
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', language: 'python' },
  { scheme: 'untitled', language: 'json' },
  { scheme: 'untitled', language: 'yaml' },
];

// A REQUEST_FAILED answer, with the server's cause, fix and details.
export class OperationError extends Error {
  constructor(
    message: string,
    readonly hint: string | undefined,
    readonly data: FailureData,
  ) {
    super(message);
  }
}

export type InterpreterResolver = () => Promise<Interpreter>;

export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly started = new vscode.EventEmitter<LanguageClient>();
  private readonly stopped = new vscode.EventEmitter<void>();
  private readonly disposables: { dispose(): unknown }[] = [];
  // Fired each time the server is (again) running: first start, restarts, and the client's own restart
  // after a crash; `onDidStop` each time it stops running.
  readonly onDidStart = this.started.event;
  readonly onDidStop = this.stopped.event;
  interpreter: Interpreter | undefined;
  lastError: string | undefined;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly resolveInterpreter: InterpreterResolver,
    private readonly onFailure: (error: unknown) => void,
  ) {
    this.disposables.push(
      log.onDidChangeLogLevel((level) => {
        void this.client?.setTrace(traceFor(level));
      }),
    );
  }

  get current(): LanguageClient | undefined {
    return this.client?.state === ClientState.Running ? this.client : undefined;
  }

  // The running client, starting it when needed; undefined when it cannot start (the failure was shown).
  async ensure(): Promise<LanguageClient | undefined> {
    if (this.current !== undefined) {
      return this.current;
    }
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<LanguageClient | undefined> {
    await vscode.commands.executeCommand('setContext', 'amldeploy.serverReady', false);
    let interpreter: Interpreter;
    try {
      interpreter = await this.resolveInterpreter();
    } catch (error) {
      this.lastError = errorText(error);
      this.log.error(this.lastError);
      this.onFailure(error);
      return undefined;
    }
    this.interpreter = interpreter;
    this.log.info(
      `Starting the language server: ${interpreter.python} (Python ${interpreter.version}, amldeploy ` +
        `${interpreter.amldeploy}, from ${interpreter.source})`,
    );
    const launch = launchSettings();
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const serverOptions: ServerOptions = {
      command: interpreter.python,
      args: ['-m', 'amldeploy', 'lsp', ...launch.extraArgs],
      transport: TransportKind.stdio,
      options: { cwd, env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.log,
      traceOutputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never, // failures show as notifications instead
      initializationOptions: initializationOptions(),
      synchronize: { configurationSection: SECTION },
    };
    const client = new LanguageClient('amldeploy', 'amldeploy', serverOptions, clientOptions);
    this.disposables.push(
      client.onDidChangeState((event) => {
        const running = event.newState === ClientState.Running;
        void vscode.commands.executeCommand('setContext', 'amldeploy.serverReady', running);
        if (running) {
          this.started.fire(client);
        } else if (event.oldState === ClientState.Running) {
          this.stopped.fire();
        }
      }),
    );
    try {
      await client.start();
    } catch (error) {
      this.lastError = `The amldeploy language server did not start: ${errorText(error)}`;
      this.log.error(this.lastError);
      this.onFailure(new Error(this.lastError));
      await client.dispose().catch(() => undefined);
      return undefined;
    }
    await client.setTrace(traceFor(this.log.logLevel));
    this.client = client;
    this.lastError = undefined;
    return client;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await vscode.commands.executeCommand('setContext', 'amldeploy.serverReady', false);
    if (client !== undefined) {
      try {
        await client.stop(5000);
      } catch (error) {
        this.log.warn(`Stopping the language server: ${errorText(error)}`);
      }
    }
  }

  // Coalesces bursts (a settings edit fires several events) into one restart.
  scheduleRestart(reason: string, delayMs = 500): void {
    if (this.restartTimer !== undefined) {
      clearTimeout(this.restartTimer);
    }
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart(reason);
    }, delayMs);
  }

  async restart(reason: string): Promise<LanguageClient | undefined> {
    this.log.info(`Restarting the language server: ${reason}`);
    await this.starting?.catch(() => undefined);
    await this.stop();
    return this.ensure();
  }

  // A custom request; a REQUEST_FAILED answer becomes an OperationError with the server's words.
  async request<R>(method: string, params: object, token?: CancellationToken): Promise<R> {
    const client = await this.ensure();
    if (client === undefined) {
      throw new OperationError(this.lastError ?? 'The amldeploy language server is not running.', 'Run "amldeploy: Restart Server".', {});
    }
    try {
      // Only a real token: an `undefined` third argument would turn the params into a positional list.
      return await (token === undefined ? client.sendRequest<R>(method, params) : client.sendRequest<R>(method, params, token));
    } catch (error) {
      if (error instanceof ResponseError && error.code === REQUEST_FAILED) {
        const data = (error.data ?? {}) as FailureData;
        throw new OperationError(data.message ?? error.message, data.hint ?? undefined, data);
      }
      throw error;
    }
  }

  dispose(): void {
    if (this.restartTimer !== undefined) {
      clearTimeout(this.restartTimer);
    }
    void this.stop();
    this.started.dispose();
    this.stopped.dispose();
    this.disposables.forEach((d) => {
      d.dispose();
    });
  }
}
