import { useEffect, useState } from 'react';

/** Routes live in the hash (`#/applications/…`): the server serves one page, and reloads keep the place. */
export function useRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const onChange = () => setParts(read());
    window.addEventListener('hashchange', onChange);
    onChange(); // the hash may have changed between the first render and this listener
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parts;
}

export const go = (...parts: string[]) => {
  window.location.hash = '/' + parts.map(encodeURIComponent).join('/');
};
