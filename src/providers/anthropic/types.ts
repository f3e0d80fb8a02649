// Anthropic's Messages API wire shapes (https://docs.anthropic.com/en/api/messages), as far as the gateway uses them.

export type CacheControl = { type: 'ephemeral'; ttl?: string };

export type ImageSource = { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };

export type RequestBlock =
  | { type: 'text'; text: string; cache_control?: CacheControl }
  | { type: 'image'; source: ImageSource; cache_control?: CacheControl }
  | { type: 'document'; source: { type: 'base64'; media_type: 'application/pdf'; data: string }; cache_control?: CacheControl }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string | RequestBlock[]; is_error?: boolean };

export interface MessageParam {
  role: 'user' | 'assistant';
  content: string | RequestBlock[];
}

export interface Tool {
  name: string;
  description?: string;
  input_schema: unknown;
  cache_control?: CacheControl;
}

export type ToolChoice = ({ type: 'auto' | 'any' } | { type: 'tool'; name: string } | { type: 'none' }) & {
  disable_parallel_tool_use?: boolean;
};

export interface MessagesRequest {
  model: string;
  messages: MessageParam[];
  max_tokens: number;
  system?: Array<{ type: 'text'; text: string; cache_control?: CacheControl }>;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  tools?: Tool[];
  tool_choice?: ToolChoice;
  metadata?: { user_id?: string };
  stream?: boolean;
}

/** Blocks the gateway translates, and (typed loosely) those it passes over: thinking, server tools. */
export type ResponseBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'thinking' | 'redacted_thinking' | 'server_tool_use' | 'web_search_tool_result'; [extra: string]: unknown };

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export interface Message {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ResponseBlock[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

/** The `data` of each streamed event; its `type` repeats the SSE event name. */
export type StreamEvent =
  | { type: 'message_start'; message: Message }
  | { type: 'content_block_start'; index: number; content_block: ResponseBlock }
  | {
      type: 'content_block_delta';
      index: number;
      delta:
        | { type: 'text_delta'; text: string }
        | { type: 'input_json_delta'; partial_json: string }
        | { type: 'thinking_delta' | 'signature_delta' | 'citations_delta'; [extra: string]: unknown };
    }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: string | null; stop_sequence: string | null }; usage: Partial<AnthropicUsage> }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error: { type: string; message: string } };
