/**
 * The browser side of a panel: the VS Code API handle, typed post, messages from the
 * extension validated against the panel's protocol, and state kept with getState/setState so
 * a hidden and re-shown panel comes back as it was.
 */
import type { ZodMiniType as ZodType } from 'zod/mini';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The page's end of a panel's message channel (the extension's end is src/extension/panels/panelHost.ts). */
export interface ExtensionChannel<ToExtension, FromExtension, State> {
  post(message: ToExtension): void;
  onMessage(handler: (message: FromExtension) => void): void;
  getState(): State | undefined;
  setState(state: State): void;
}

export function connect<ToExtension, FromExtension, State>(
  fromExtension: ZodType<FromExtension>,
  stateSchema: ZodType<State>,
): ExtensionChannel<ToExtension, FromExtension, State> {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    onMessage: (handler) =>
      window.addEventListener('message', (event: MessageEvent) => {
        const parsed = fromExtension.safeParse(event.data);
        if (parsed.success) handler(parsed.data);
        else console.warn('jira2fa: ignored a malformed message from the extension');
      }),
    getState: () => {
      const parsed = stateSchema.safeParse(api.getState());
      return parsed.success ? parsed.data : undefined;
    },
    setState: (state) => api.setState(state),
  };
}
