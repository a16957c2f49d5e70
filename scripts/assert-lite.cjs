// The part of node:assert that yargs uses, without node:assert's start-up cost.
'use strict';
function fail(message, actual, expected, op) {
  const err = new Error(message || `${String(actual)} ${op} ${String(expected)}`);
  err.code = 'ERR_ASSERTION';
  throw err;
}
exports.strictEqual = (actual, expected, message) => {
  if (!Object.is(actual, expected)) fail(message, actual, expected, '!==');
};
exports.notStrictEqual = (actual, expected, message) => {
  if (Object.is(actual, expected)) fail(message, actual, expected, '===');
};
