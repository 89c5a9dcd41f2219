/**
 * The API reference builds cleanly: typedoc (with this repository's typedoc.json: entry src/index.ts, validation of
 * notExported, invalidLink and notDocumented) converts and validates the public API with 0 warnings and 0 errors.
 * So an export without a doc comment, a type used in a public signature but not exported, or a broken {@link}
 * fails the suite. Runs typedoc's API in-process without writing any output (about 5 s on an idle machine).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Application, Logger, LogLevel } from 'typedoc';

/** Keeps every warning and error instead of printing it. */
class CollectingLogger extends Logger {
  readonly messages: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.messages.push(`${level === LogLevel.Error ? 'error' : 'warning'}: ${message}`);
  }
}

test('typedoc: the API reference has 0 warnings and 0 errors (every export documented, no unexported public types, no broken links)', async () => {
  // skipErrorChecking: `npm test` type-checks first (npm run typecheck), so typedoc need not repeat it (halves the time).
  const app = await Application.bootstrapWithPlugins({ emit: 'none', skipErrorChecking: true });
  assert.equal(app.logger.errorCount + app.logger.warningCount, 0, 'typedoc.json / tsconfig options produced warnings or errors');
  const entries = app.options.getValue('entryPoints');
  assert.ok(entries.length === 1 && entries[0].replaceAll('\\', '/').endsWith('src/index.ts'), `the entry point must be src/index.ts, got ${entries.join(', ')}`);
  const validation = app.options.getValue('validation');
  assert.ok(validation.notExported && validation.invalidLink && validation.notDocumented, 'typedoc.json must validate notExported, invalidLink and notDocumented');
  const logger = new CollectingLogger();
  logger.level = LogLevel.Warn;
  app.logger = logger;
  const project = await app.convert();
  assert.ok(project, `typedoc could not convert the project:\n${logger.messages.join('\n')}`);
  app.validate(project);
  assert.deepEqual(logger.messages, [], `typedoc reported ${logger.warningCount} warnings and ${logger.errorCount} errors`);
  assert.equal(logger.warningCount, 0);
  assert.equal(logger.errorCount, 0);
});
