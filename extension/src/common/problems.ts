// Problem counts in words, for the views and the messages that show them.
import * as vscode from 'vscode';

export interface ProblemCounts {
  errors: number;
  warnings: number;
  text: string;
}

export function countsText(errors: number, warnings: number): ProblemCounts {
  const parts: string[] = [];
  if (errors > 0) {
    parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  }
  if (warnings > 0) {
    parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  }
  return { errors, warnings, text: parts.length > 0 ? parts.join(', ') : 'no problems' };
}

// What the editor shows for a document now: the server's diagnostics and those of VS Code's own JSON service.
export function problemSummary(diagnostics: readonly vscode.Diagnostic[]): ProblemCounts {
  const errors = diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
  const warnings = diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning).length;
  return countsText(errors, warnings);
}
