// Long operations as cancellable progress notifications fed by the server's `$/progress`.
import { randomUUID } from 'crypto';
import * as vscode from 'vscode';
import { WorkDoneProgress, WorkDoneProgressCancelNotification } from 'vscode-languageclient/node';
import { errorText } from '../common/log';
import { OperationError } from '../client/server';
import { Context } from './context';

export async function withServerProgress<R>(
  ctx: Context,
  title: string,
  method: string,
  params: object,
): Promise<R | undefined> {
  const client = await ctx.server.ensure();
  if (client === undefined) {
    showFailure(ctx, new OperationError(ctx.server.lastError ?? 'The amldeploy language server is not running.', undefined, {}));
    return undefined;
  }
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (progress, cancellation) => {
      const token = `amldeploy-${randomUUID()}`;
      let reported = 0;
      const onProgress = client.onProgress(WorkDoneProgress.type, token, (value) => {
        if (value.kind === 'end') {
          return;
        }
        let increment: number | undefined;
        if (value.percentage !== undefined && value.percentage > reported) {
          increment = value.percentage - reported;
          reported = value.percentage;
        }
        progress.report({ message: value.message, increment });
      });
      // The server stops the work, cleans up and then answers "cancelled": wait for that answer.
      const onCancel = cancellation.onCancellationRequested(() => {
        void client.sendNotification(WorkDoneProgressCancelNotification.type, { token });
      });
      try {
        return await ctx.server.request<R>(method, { ...params, workDoneToken: token });
      } finally {
        onProgress.dispose();
        onCancel.dispose();
      }
    },
  );
}

// Shows a failure with its cause and fix, and buttons for what helps next (the log, the problems).
export function showFailure(ctx: Context, error: unknown, serviceName?: string): void {
  if (!(error instanceof OperationError)) {
    ctx.log.error(errorText(error));
    void vscode.window.showErrorMessage(`amldeploy: ${errorText(error)}`, 'Show Server Log').then((choice) => {
      if (choice === 'Show Server Log') {
        ctx.log.show();
      }
    });
    return;
  }
  const hint = error.hint !== undefined && error.hint !== '' ? ` — ${error.hint}` : '';
  ctx.log.error(`${error.message}${hint}`);
  const buttons: string[] = [];
  const log = error.data.log ?? [];
  const name = serviceName ?? error.data.service?.name;
  if (log.length > 0) {
    buttons.push('Show Log');
  }
  if ((error.data.problems ?? []).length > 0) {
    buttons.push('Show Problems');
  }
  // Not awaited: the command ends now; the buttons stay usable while the message is up.
  void vscode.window.showErrorMessage(`${error.message}${hint}`, ...buttons).then(async (choice) => {
    if (choice === 'Show Log') {
      ctx.logs.showLines(name ?? 'deploy', log);
    } else if (choice === 'Show Problems') {
      for (const problem of error.data.problems ?? []) {
        await vscode.workspace.openTextDocument(problem.path).then(
          () => undefined,
          () => undefined,
        );
      }
      await vscode.commands.executeCommand('workbench.actions.view.problems');
    }
  });
}
