import { Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api, type Page } from '../api';
import { formatDateTime, useT } from '../i18n';
import { StageTag } from './ApplicationTable';

interface Stuck {
  applicationId: string;
  stage: string;
  reason: string;
  stuckSince: string;
}

/** The administrator: applications that no workflow carries any more. */
export default function AdminHome() {
  const t = useT();
  const [rows, setRows] = useState<Stuck[]>([]);
  useEffect(() => {
    api.get<Page<Stuck>>('v1/stuck-applications').then((page) => setRows(page.items), () => setRows([]));
  }, []);
  return (
    <>
      <Typography.Title level={3}>{t('admin_stuck')}</Typography.Title>
      <Table<Stuck>
        rowKey="applicationId"
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: t('none') }}
        columns={[
          { title: t('receiptNumber'), key: 'id', render: (_, row) => row.applicationId.slice(0, 8) },
          { title: t('stage'), key: 'stage', render: (_, row) => <StageTag stage={row.stage} /> },
          { title: t('reason'), dataIndex: 'reason' },
          { title: t('acceptedAt'), key: 'since', render: (_, row) => formatDateTime(row.stuckSince, t.lang) },
        ]}
      />
    </>
  );
}
