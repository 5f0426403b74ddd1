import { Alert, Button, Table, type TableProps } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type Page } from '../api';
import { problemText, useT } from '../i18n';

export interface Paged<T> {
  items: T[];
  next: string | null;
  loading: boolean;
  /** The API's refusal, in the console's language. */
  error: string | undefined;
  reload: () => void;
  more: () => void;
}

/** A cursor-paged list from the API, read again on `reload()`; `more()` follows the cursor. */
export function usePaged<T>(path: string): Paged<T> {
  const t = useT();
  const [items, setItems] = useState<T[]>([]);
  const [error, setError] = useState<string>();
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const load = useCallback(
    (cursor?: string) => {
      setLoading(true);
      api
        .get<Page<T>>(cursor ? `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}` : path)
        .then((page) => {
          setItems((before) => (cursor ? [...before, ...page.items] : page.items));
          setNext(page.nextCursor);
          setError(undefined);
        }, (e: unknown) => {
          if (!cursor) setItems([]);
          setError(e instanceof ApiError ? problemText(t.lang, e.code, e.message) : t('error'));
        })
        .finally(() => setLoading(false));
    },
    [path, t.lang],
  );
  useEffect(() => load(), [load]);
  return { items, next, loading, error, reload: () => load(), more: () => void (next && load(next)) };
}

/**
 * A paged list as a table: the API's refusal above it, "more" below while the list goes on.
 * `order` sorts what has been read so far (the API's order otherwise).
 */
export function PagedTable<T extends object>({ list, rowKey, columns, onRow, order }: {
  list: Paged<T>;
  rowKey: TableProps<T>['rowKey'];
  columns: TableProps<T>['columns'];
  onRow?: TableProps<T>['onRow'];
  order?: (a: T, b: T) => number;
}) {
  const t = useT();
  return (
    <>
      {list.error && <Alert type="error" title={list.error} showIcon style={{ marginBottom: 12 }} />}
      <Table<T>
        rowKey={rowKey}
        size="middle"
        loading={list.loading}
        dataSource={order ? [...list.items].sort(order) : list.items}
        pagination={false}
        locale={{ emptyText: t('none') }}
        onRow={onRow}
        columns={columns}
      />
      {list.next && <Button style={{ marginTop: 12 }} onClick={list.more}>{t('more')}</Button>}
    </>
  );
}
