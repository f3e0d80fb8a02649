import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';

it('the Worker entry answers a chat completion through the bundled router.config.yaml', async () => {
  const res = await SELF.fetch('http://gw/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = await res.json<any>();
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.choices[0].message.content).toMatch(/mock deployment/);
});
