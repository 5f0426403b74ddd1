import { Button, Descriptions, Result, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { api, type Application } from '../api';
import { formatDate, formatDateTime, useT } from '../i18n';
import { go } from '../route';
import './print.css';

/** The acceptance receipt the applicant takes home; printed with the print stylesheet (no header, no buttons). */
export default function Receipt({ id }: { id: string }) {
  const t = useT();
  const [application, setApplication] = useState<Application | null>();
  useEffect(() => {
    api.get<Application>(`v1/applications/${encodeURIComponent(id)}`).then(setApplication, () => setApplication(null));
  }, [id]);
  if (application === undefined) return <Spin />;
  if (application === null) return <Result status="404" title={t('notFound')} />;
  return (
    <div className="receipt" data-testid="receipt">
      <h2 style={{ textAlign: 'center' }}>{t('receiptTitle')}</h2>
      <Descriptions bordered column={1} size="middle">
        <Descriptions.Item label={t('receiptNumber')}>
          <strong data-testid="receipt-number">{application.receiptNumber ?? application.applicationId}</strong>
        </Descriptions.Item>
        <Descriptions.Item label={t('applicant')}>{application.person?.name ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('idNumber')}>{application.person?.idNumber ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('kind')}>{t(application.kind === 'replacement' ? 'kind_replacement' : 'kind_renewal')}</Descriptions.Item>
        <Descriptions.Item label={t('acceptedAt')}>{formatDateTime(application.acceptedAt, t.lang)}</Descriptions.Item>
        <Descriptions.Item label={t('deadline')}>{formatDate(application.deadlineAt, t.lang)}</Descriptions.Item>
        <Descriptions.Item label={t('pickupStation')}>{application.acceptingStation?.name ?? application.acceptingStationCode}</Descriptions.Item>
      </Descriptions>
      <p style={{ marginTop: 16 }}>{t('receiptNote')}</p>
      <div className="no-print" style={{ marginTop: 16 }}>
        <Button type="primary" onClick={() => window.print()} data-testid="print-receipt">
          {t('printReceipt')}
        </Button>{' '}
        <Button onClick={() => go('applications', application.applicationId)}>{t('open')}</Button>{' '}
        <Button onClick={() => go()}>{t('back')}</Button>
      </div>
    </div>
  );
}
