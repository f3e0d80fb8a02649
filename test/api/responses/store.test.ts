// Kept responses are the caller's: the Router as a library, two callers (as two keys would be).
import { describe, expect, it } from 'vitest';
import { Router } from '../../../src/router/router';
import type { RouterError } from '../../../src/router/errors';
import { chatCompletion, FakeUpstream } from '../../helpers/fake-upstream';

describe('stored responses', () => {
  it('a previous_response_id is found only in its caller’s scope', async () => {
    const upstream = new FakeUpstream();
    upstream.on('fake.test', { json: chatCompletion('first') }, { json: chatCompletion('second') });
    const router = new Router(
      { model_list: [{ model_name: 'm', litellm_params: { model: 'groq/llama', api_key: 'k-123456', api_base: 'https://fake.test/v1' } }], num_retries: 0 },
      { fetch: upstream.fetch },
    );
    const pending: Promise<unknown>[] = [];
    const opts = (callerScope: string) => ({ callerScope, waitUntil: (p: Promise<unknown>) => void pending.push(p) });
    const first = await router.responses({ model: 'm', input: 'one' }, opts('alice'));
    await Promise.all(pending);
    const id = (first.kind === 'json' && (first.body as { id: string }).id)!;
    const err = (await router.responses({ model: 'm', input: 'two', previous_response_id: id }, opts('bob')).catch((e) => e)) as RouterError;
    expect(err.status).toBe(400);
    expect(err.param).toBe('previous_response_id');
    await router.responses({ model: 'm', input: 'two', previous_response_id: id }, opts('alice'));
    expect(upstream.calls[1].body.messages.map((m: { content: string }) => m.content)).toEqual(['one', 'first', 'two']);
  });
});
