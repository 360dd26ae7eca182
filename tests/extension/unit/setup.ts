// Makes `require('vscode')` load the mock: the extension's logic runs under plain mocha, outside VS Code.
import Module from 'module';
import * as path from 'path';

const mock = path.join(__dirname, 'vscodeMock.js');
type Resolve = (request: string, ...rest: unknown[]) => string;
const internals = Module as unknown as { _resolveFilename: Resolve };
const original = internals._resolveFilename;
internals._resolveFilename = function (request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? mock : original.call(this, request, ...rest);
};
