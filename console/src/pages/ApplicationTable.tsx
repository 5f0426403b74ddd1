import { Alert, Button, Table, Tag } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type Application, type Page } from '../api';
import { formatDate, problemText, useT } from '../i18n';
import { go } from '../route';

export function StageTag({ stage }: { stage: string }) {
  const t = useT();
  const colour = stage === 'REFUSED' || stage === 'WITHDRAWN' || stage === 'CLOSED' ? 'default' : stage === 'COMPLETED' ? 'green' : stage === 'READY_FOR_PICKUP' ? 'cyan' : 'blue';
  return <Tag color={colour}>{t(`stage_${stage}` as Parameters<typeof t>[0])}</Tag>;
}

export function DaysLeft({ application }: { application: Application }) {
  const t = useT();
  if (application.overdue) return <Tag color="red">{t('overdue')}</Tag>;
  if (application.daysRemaining === null) return <span>—</span>;
  return <Tag color={application.daysRemaining <= 10 ? 'orange' : 'default'}>{t('daysLeftValue', { n: application.daysRemaining })}</Tag>;
}

/**
 * A worklist of applications from one API list (`path`, cursor-paged on the server), most urgent first
 * as the API orders it; the applicant's name on every row, the row opening the application's page.
 */
export function ApplicationTable({ path, testId, sortByDeadline = false, showStation = false }: { path: string; testId: string; sortByDeadline?: boolean; showStation?: boolean }) {
  const t = useT();
  const [items, setItems] = useState<Application[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();

  const load = useCallback(
    (cursor?: string) => {
      setLoading(true);
      const separator = path.includes('?') ? '&' : '?';
      api
        .get<Page<Application>>(cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path)
        .then((page) => {
          setItems((before) => (cursor ? [...before, ...page.items] : page.items));
          setNext(page.nextCursor);
          setError(undefined);
        }, (e: unknown) => setError(e instanceof ApiError ? problemText(t.lang, e.code, e.message) : t('error')))
        .finally(() => setLoading(false));
    },
    [path, t.lang],
  );
  useEffect(() => load(), [load]);

  const rows = sortByDeadline ? [...items].sort((a, b) => a.deadlineAt.localeCompare(b.deadlineAt)) : items;
  return (
    <div data-testid={testId}>
      {error && <Alert type="error" title={error} showIcon style={{ marginBottom: 12 }} />}
      <Table<Application>
        rowKey="applicationId"
        size="middle"
        loading={loading}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: t('none') }}
        onRow={(row) => ({ onClick: () => go('applications', row.applicationId), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('applicant'), key: 'name', render: (_, row) => row.person?.name ?? '—' },
          { title: t('receiptNumber'), key: 'receipt', render: (_, row) => row.receiptNumber ?? row.applicationId.slice(0, 8) },
          {
            title: t('stage'),
            key: 'stage',
            render: (_, row) => (
              <>
                <StageTag stage={row.stage} />
                {row.printFailures ? <Tag color="volcano" data-testid="reprint-count">{t('reprintCount', { n: row.printFailures })}</Tag> : null}
              </>
            ),
          },
          ...(showStation ? [{ title: t('pickupStation'), key: 'station', render: (_: unknown, row: Application) => row.acceptingStation?.name ?? row.acceptingStationCode }] : []),
          { title: t('acceptedAt'), key: 'acceptedAt', render: (_, row) => formatDate(row.acceptedAt, t.lang) },
          { title: t('deadline'), key: 'deadline', render: (_, row) => formatDate(row.deadlineAt, t.lang) },
          { title: t('daysLeft'), key: 'days', render: (_, row) => <DaysLeft application={row} /> },
          {
            title: '',
            key: 'open',
            render: (_, row) => (
              <Button type="link" href={`#/applications/${row.applicationId}`} onClick={(event) => event.stopPropagation()}>
                {t('open')}
              </Button>
            ),
          },
        ]}
      />
      {next && (
        <Button style={{ marginTop: 12 }} onClick={() => load(next)}>
          {t('more')}
        </Button>
      )}
    </div>
  );
}
