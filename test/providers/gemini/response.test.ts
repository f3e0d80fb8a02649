// GenerateContentResponse -> chat.completion (src/providers/gemini/response.ts).
import { describe, expect, it } from 'vitest';
import { finishReason, toChatCompletion, toUsage } from '../../../src/providers/gemini/response';
import type { RouterError } from '../../../src/router/errors';
import { promptBlockedResponse, safetyBlockedResponse, textResponse, thinkingResponse, toolCallResponse } from '../../fixtures/gemini';
import { deployment } from './helpers';

describe('gemini response translation', () => {
  it('text, finish reason, usage, id and model', () => {
    const c = toChatCompletion(textResponse, deployment());
    expect(c).toMatchObject({
      id: 'mAitaLmkHPPlz7IPvtfUqQ4',
      object: 'chat.completion',
      model: 'gemini-2.0-flash',
      choices: [{ index: 0, message: { role: 'assistant', content: 'The capital of France is Paris.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 8, completion_tokens: 8, total_tokens: 16 },
    });
  });

  it('functionCall parts become tool_calls with ids, finish_reason tool_calls', () => {
    const c = toChatCompletion(toolCallResponse, deployment());
    const [choice] = c.choices;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls!.map((t) => [t.type, t.function.name, JSON.parse(t.function.arguments)])).toEqual([
      ['function', 'get_weather', { location: 'Boston, MA', unit: 'celsius' }],
      ['function', 'get_time', { tz: 'America/New_York' }],
    ]);
    const ids = choice.message.tool_calls!.map((t) => t.id);
    expect(new Set(ids).size).toBe(2);
  });

  it('thoughts go to reasoning_content and count as completion tokens; the thought signature rides in the call id', () => {
    const c = toChatCompletion(thinkingResponse, deployment('gemini-2.5-flash'));
    expect(c.choices[0].message.reasoning_content).toBe('Weighing the options...');
    expect(c.choices[0].message.tool_calls![0].id).toMatch(/__thought__CiQBVKhc7sig$/);
    expect(c.usage).toEqual({
      prompt_tokens: 40,
      completion_tokens: 130,
      total_tokens: 170,
      prompt_tokens_details: { cached_tokens: 32 },
      completion_tokens_details: { reasoning_tokens: 120 },
    });
  });

  it('several candidates (n) are several choices', () => {
    const two = { ...textResponse, candidates: [textResponse.candidates[0], { ...textResponse.candidates[0], index: 1, content: { parts: [{ text: 'Paris.' }], role: 'model' } }] };
    expect(toChatCompletion(two, deployment()).choices.map((c) => [c.index, c.message.content])).toEqual([
      [0, 'The capital of France is Paris.'],
      [1, 'Paris.'],
    ]);
  });

  it('maps every content-filter finish reason to content_filter, MAX_TOKENS to length', () => {
    for (const r of ['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']) expect(finishReason(r, false)).toBe('content_filter');
    expect(finishReason('MAX_TOKENS', false)).toBe('length');
    expect(finishReason('STOP', false)).toBe('stop');
    expect(finishReason('STOP', true)).toBe('tool_calls');
    expect(finishReason(undefined, false)).toBeNull();
  });

  it('an answer blocked whole (no content) is a ContentPolicyViolationError, so content_policy_fallbacks apply', () => {
    for (const blocked of [safetyBlockedResponse, promptBlockedResponse]) {
      try {
        toChatCompletion(blocked as any, deployment());
        expect.unreachable();
      } catch (e) {
        expect((e as RouterError).errorClass).toBe('ContentPolicyViolationError');
        expect((e as RouterError).status).toBe(400);
      }
    }
  });

  it('a partial answer stopped by a filter keeps its text, finish_reason content_filter', () => {
    const partial = { ...textResponse, candidates: [{ ...textResponse.candidates[0], finishReason: 'RECITATION' }] };
    expect(toChatCompletion(partial, deployment()).choices[0]).toMatchObject({ finish_reason: 'content_filter', message: { content: 'The capital of France is Paris.' } });
  });

  it('usage with nothing reported is zeros', () => {
    expect(toUsage(undefined)).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});
