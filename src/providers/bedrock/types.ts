// Bedrock's Converse and ConverseStream wire shapes (AWS's API reference, Amazon Bedrock Runtime), as far as the
// gateway uses them. Union members are objects with exactly one key: `{ text }`, `{ image }`, `{ toolUse }`, ...

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export type ContentBlock =
  | { text: string }
  | { image: { format: ImageFormat; source: { bytes: string } } }
  | { document: { format: 'pdf'; name: string; source: { bytes: string } } }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: ToolResultBlock[]; status?: 'success' | 'error' } }
  | { reasoningContent: { reasoningText?: { text: string; signature?: string } } };

export type ToolResultBlock = { text: string } | { json: unknown } | { image: { format: ImageFormat; source: { bytes: string } } };

export interface Message {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export interface ToolSpec {
  name: string;
  description?: string;
  inputSchema: { json: unknown };
}

export type ToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface ConverseRequest {
  messages: Message[];
  system?: Array<{ text: string }>;
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: Array<{ toolSpec: ToolSpec }>; toolChoice?: ToolChoice };
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface ConverseResponse {
  output: { message?: Message };
  stopReason: string;
  usage: TokenUsage;
  metrics?: { latencyMs: number };
}

/** The payload of each ConverseStream event, by its `:event-type` header. */
export interface StreamEvents {
  messageStart: { role: string };
  contentBlockStart: { contentBlockIndex: number; start?: { toolUse?: { toolUseId: string; name: string } } };
  contentBlockDelta: {
    contentBlockIndex: number;
    delta: { text?: string; toolUse?: { input: string }; reasoningContent?: { text?: string } };
  };
  contentBlockStop: { contentBlockIndex: number };
  messageStop: { stopReason: string };
  metadata: { usage?: TokenUsage; metrics?: { latencyMs: number } };
}
