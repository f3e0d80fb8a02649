// OpenAI chat request -> GenerateContentRequest (src/providers/gemini/request.ts).
import { describe, expect, it } from 'vitest';
import { toGenerateContentRequest } from '../../../src/providers/gemini/request';
import { RouterError } from '../../../src/router/errors';

const req = (extra: Record<string, unknown>) => toGenerateContentRequest({ model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'Hi' }], ...extra } as any);

describe('gemini request translation', () => {
  it('system and developer messages become systemInstruction; assistant turns are model turns', () => {
    const out = toGenerateContentRequest({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Bonjour' },
        { role: 'user', content: [{ type: 'text', text: 'Capital?' }] },
      ],
    });
    expect(out.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] });
    expect(out.contents).toEqual([
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ text: 'Bonjour' }] },
      { role: 'user', parts: [{ text: 'Capital?' }] },
    ]);
  });

  it('parameters become generationConfig: max_tokens, temperature, top_p, stop, n, seed, penalties', () => {
    expect(req({ max_tokens: 50, temperature: 0.3, top_p: 0.9, stop: 'END', n: 2, seed: 7, presence_penalty: 0.1, frequency_penalty: 0.2 }).generationConfig).toEqual({
      maxOutputTokens: 50,
      temperature: 0.3,
      topP: 0.9,
      stopSequences: ['END'],
      candidateCount: 2,
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
    });
    expect(req({ max_completion_tokens: 9, stop: ['a', 'b'], n: 1 }).generationConfig).toEqual({ maxOutputTokens: 9, stopSequences: ['a', 'b'] });
    expect(req({}).generationConfig).toBeUndefined();
    expect(req({ reasoning_effort: 'low' }).generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 1024 } });
  });

  it('images: data URLs as inlineData, URLs as fileData with their media type; PDFs as files', () => {
    const out = toGenerateContentRequest({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
            { type: 'image_url', image_url: { url: 'gs://bucket/scan', format: 'image/webp' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } },
          ],
        },
      ],
    });
    expect(out.contents[0].parts).toEqual([
      { text: 'What is this?' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.jpg' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'gs://bucket/scan' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
    ]);
    expect(() => toGenerateContentRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y' } }] }] })).toThrow(
      RouterError,
    );
  });

  it('tools become functionDeclarations; tool_choice becomes functionCallingConfig', () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { location: { type: 'string' } }, additionalProperties: false } } }];
    const out = req({ tools, tool_choice: { type: 'function', function: { name: 'get_weather' } } });
    expect(out.tools).toEqual([
      { functionDeclarations: [{ name: 'get_weather', description: 'Weather', parametersJsonSchema: tools[0].function.parameters }] },
    ]);
    expect(out.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
    expect(req({ tools, tool_choice: 'required' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(req({ tools, tool_choice: 'none' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(req({ tools, tool_choice: 'auto' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
  });

  it('tool calls become functionCall parts and results functionResponse parts naming their function, merged per turn', () => {
    const out = toGenerateContentRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather and time in Boston?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Boston"}' } },
            { id: 'call_2__thought__CiQBsig', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
        { role: 'tool', tool_call_id: 'call_2__thought__CiQBsig', content: '9:00' },
      ],
    });
    expect(out.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather and time in Boston?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { location: 'Boston' } } },
          { functionCall: { name: 'get_time', args: {} }, thoughtSignature: 'CiQBsig' },
        ],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'get_weather', response: { temp: 21 } } }, { functionResponse: { name: 'get_time', response: { content: '9:00' } } }],
      },
    ]);
  });

  it('a tool result without a known call is refused by name', () => {
    try {
      toGenerateContentRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'nope', content: 'y' }] });
      expect.unreachable();
    } catch (e) {
      expect((e as RouterError).status).toBe(400);
      expect((e as RouterError).param).toBe('messages[1].tool_call_id');
    }
  });

  it('response_format: json_object and json_schema as responseMimeType and responseJsonSchema', () => {
    expect(req({ response_format: { type: 'json_object' } }).generationConfig).toEqual({ responseMimeType: 'application/json' });
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    expect(req({ response_format: { type: 'json_schema', json_schema: { name: 'c', schema, strict: true } } }).generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseJsonSchema: schema,
    });
    expect(req({ response_format: { type: 'text' } }).generationConfig).toBeUndefined();
    expect(() => req({ response_format: { type: 'yaml' } })).toThrow(/response_format/);
  });
});
