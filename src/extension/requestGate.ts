/**
 * The request gate's dependencies in the editor (src/core/requests): ticket instances come from
 * the profile store as it is now, and tickets are read and commented through the extension's
 * pooled Jira client for that instance (shared with Test connection, never closed here).
 */
import type { RequestGateDeps } from '../core/requests/gate';
import type { ExtensionServices } from './services';

export function requestGateFor(s: Pick<ExtensionServices, 'profiles' | 'jira'>): RequestGateDeps {
  return {
    profileOf: (id) => s.profiles.get(id),
    withClient: async (profile, fn) => fn(await s.jira.client(profile)),
  };
}
