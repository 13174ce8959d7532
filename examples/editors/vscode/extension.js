// Starts `trickle lsp` for .trickle and .tremor files.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("trickle").get("server.path") || "trickle";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "trickle",
    "trickle",
    { run: server, debug: server },
    { documentSelector: [{ language: "trickle" }, { language: "tremor" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
