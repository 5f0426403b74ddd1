import { Button, Tag } from 'antd';
import { type Application } from '../api';
import { formatDate, useT } from '../i18n';
import { go } from '../route';
import { PagedTable, usePaged } from './PagedTable';

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
  const list = usePaged<Application>(path);
  return (
    <div data-testid={testId}>
      <PagedTable<Application>
        list={list}
        rowKey="applicationId"
        order={sortByDeadline ? (a, b) => a.deadlineAt.localeCompare(b.deadlineAt) : undefined}
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
    </div>
  );
}
