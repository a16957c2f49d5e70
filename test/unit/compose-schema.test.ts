import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { validateCompose } from '../../lib/compose/schema.js';

t.test('the vendored schema is verbatim', async (t) => {
  const text = readFileSync(new URL('../../lib/compose/schema/compose-spec.json', import.meta.url));
  t.equal(createHash('sha256').update(text).digest('hex'), '1f91e091f16b2dd50ab8860e02bb391d22df553d91c145eacedb1b6eff9c3f0e');
});

t.test('the compiled validator is the schema\'s (scripts/compile-compose-schema.mjs was run after its last change)', async (t) => {
  // @ts-expect-error -- a build script in plain JavaScript, without types
  const { validatorSource } = (await import('../../scripts/compile-compose-schema.mjs')) as { validatorSource: () => string };
  const compiled = readFileSync(new URL('../../lib/compose/schema/validate-compose.js', import.meta.url), 'utf8');
  t.ok(compiled === validatorSource(), 'lib/compose/schema/validate-compose.js is current: run node scripts/compile-compose-schema.mjs');
});

t.test('valid and invalid documents', async (t) => {
  t.doesNotThrow(() => validateCompose({ services: { web: { image: 'a', 'x-any': { thing: 1 } } }, 'x-top': 1 }, 'c.yaml'));
  t.throws(() => validateCompose({ services: { web: { ports: [true] } } }, 'c.yaml'), { message: 'c.yaml: services.web.ports[0]: must be number or string or object' });
  t.throws(() => validateCompose({ bogus: 1 }, 'c.yaml'), { message: "c.yaml: additional property 'bogus' is not allowed" });
});
