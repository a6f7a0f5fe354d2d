/**
 * A URL as logs and operators may see it: without `user:password@`. New notify_urls with
 * credentials are refused (policy.ts), but rows stored before that rule may still hold some.
 */
export function withoutCredentials(text: string): string {
  try {
    const url = new URL(text);
    if (!url.username && !url.password) return text;
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    // Not a URL the parser takes: cut anything that looks like an authority's userinfo.
    return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
  }
}
