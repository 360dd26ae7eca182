// One LogOutputChannel for the extension and the language server (its stderr, window/logMessage and, at
// Trace level, the protocol trace). "Developer: Set Log Level…" on the channel controls the trace.
import * as vscode from 'vscode';
import { Trace } from 'vscode-languageclient/node';

export function traceFor(level: vscode.LogLevel): Trace {
  switch (level) {
    case vscode.LogLevel.Trace:
      return Trace.Verbose;
    case vscode.LogLevel.Debug:
      return Trace.Messages;
    default:
      return Trace.Off;
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return typeof error === 'string' ? error : JSON.stringify(error);
}
