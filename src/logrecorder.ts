// Under a test runner the extension keeps the lines it logs, so a test can check what reached the log:
// VS Code's server without its native logger (the offline E2E runtime has no @vscode/spdlog build)
// writes no log file at all, and the lines are out of reach there.
import * as util from 'node:util';
import type * as vscode from 'vscode';

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.message}\n${value.stack ?? ''}`;
  return util.inspect(value, { depth: 4 });
}

/** The channel, with every line logged through it also pushed onto `lines`. */
export function recordingLog(channel: vscode.LogOutputChannel, lines: string[]): vscode.LogOutputChannel {
  const note = (values: unknown[]) => lines.push(values.map(text).join(' '));
  return {
    get name() {
      return channel.name;
    },
    get logLevel() {
      return channel.logLevel;
    },
    onDidChangeLogLevel: channel.onDidChangeLogLevel,
    trace: (message: string, ...args: unknown[]) => (note([message, ...args]), channel.trace(message, ...args)),
    debug: (message: string, ...args: unknown[]) => (note([message, ...args]), channel.debug(message, ...args)),
    info: (message: string, ...args: unknown[]) => (note([message, ...args]), channel.info(message, ...args)),
    warn: (message: string, ...args: unknown[]) => (note([message, ...args]), channel.warn(message, ...args)),
    error: (error: string | Error, ...args: unknown[]) => (note([error, ...args]), channel.error(error, ...args)),
    append: (value: string) => (note([value]), channel.append(value)),
    appendLine: (value: string) => (note([value]), channel.appendLine(value)),
    replace: (value: string) => (note([value]), channel.replace(value)),
    clear: () => channel.clear(),
    show: ((...args: Parameters<vscode.LogOutputChannel['show']>) => channel.show(...(args as [boolean?]))) as vscode.LogOutputChannel['show'],
    hide: () => channel.hide(),
    dispose: () => channel.dispose(),
  };
}
