// The devnet's deterministic local "model". Not an LLM: it transforms the prompt so tests can predict answers.
//  chat: "Devnet echo: <last user text>"; with response_format json_* a JSON object {"echo": text};
//        with tools and a prompt that asks for one (or tool_choice "required"/named), a tool call.
//  completion: "<prompt> ... and the devnet said: done."
//  max_tokens counts whitespace-separated words (finish_reason "length"); stop strings cut the text.
import { dumps } from "./pyjson.mjs";

export const words = (s) => (s.match(/\S+/g) || []).length;

function lastUserText(messages) {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m && m.role === "user") {
      if (typeof m.content === "string") return m.content;
      if (Array.isArray(m.content)) return m.content.filter((p) => p && p.type === "text").map((p) => p.text || "").join(" ");
    }
  }
  return "";
}

function limit(text, { max_tokens, stop }) {
  let finish = "stop";
  const stops = typeof stop === "string" ? [stop] : Array.isArray(stop) ? stop.filter((s) => typeof s === "string" && s) : [];
  for (const s of stops) { const k = text.indexOf(s); if (k >= 0) text = text.slice(0, k); }
  if (Number.isInteger(max_tokens) && words(text) > max_tokens) {
    const parts = text.match(/\s*\S+/g) || [];
    text = parts.slice(0, max_tokens).join("").trimStart();
    finish = "length";
  }
  return { text, finish };
}

function toolArgs(tool, prompt) {
  const params = tool.function?.parameters || {};
  const props = params.properties || {};
  const wanted = Array.isArray(params.required) && params.required.length ? params.required : Object.keys(props).slice(0, 1);
  const args = {};
  for (const name of wanted) {
    const t = props[name]?.type;
    if (t === "number" || t === "integer") args[name] = 1;
    else if (t === "boolean") args[name] = true;
    else {
      const m = /\b(?:in|for|of|about)\s+([A-Z][\w-]*)/.exec(prompt) || /\b([A-Z][a-z][\w-]*)\W*$/.exec(prompt);
      args[name] = m ? m[1] : "devnet";
    }
  }
  return args;
}

export function chat(body, { callId }) {
  const prompt = lastUserText(body.messages || []);
  const tools = Array.isArray(body.tools) ? body.tools.filter((t) => t && t.function && t.function.name) : [];
  const tc = body.tool_choice;
  const wantsTool = tools.length > 0 && tc !== "none" &&
    (tc === "required" || (tc && typeof tc === "object") || /\b(tool|weather|call|look ?up|use)\b/i.test(prompt));
  if (wantsTool) {
    const named = tc && typeof tc === "object" ? tc.function?.name : undefined;
    const tool = tools.find((t) => t.function.name === named) || tools[0];
    const toolCalls = [{
      id: callId,
      type: "function",
      function: { name: tool.function.name, arguments: dumps(toolArgs(tool, prompt), { sortKeys: false }) },
    }];
    return { content: "", toolCalls, finish: "tool_calls", promptTokens: words(prompt) };
  }
  const rf = body.response_format?.type;
  let text = rf === "json_object" || rf === "json_schema" ? JSON.stringify({ echo: prompt }) : `Devnet echo: ${prompt}`;
  const r = limit(text, body);
  return { content: r.text, toolCalls: null, finish: r.finish, promptTokens: words(prompt) };
}

export function complete(body) {
  const prompt = typeof body.prompt === "string" ? body.prompt : Array.isArray(body.prompt) ? body.prompt.join(" ") : String(body.prompt ?? "");
  const r = limit(`${prompt} ... and the devnet said: done.`.slice(prompt.length), body);
  return { text: r.text, finish: r.finish, promptTokens: words(prompt) };
}
