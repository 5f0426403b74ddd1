import { Alert, Button, Card, Descriptions, Form, Input } from 'antd';
import { useState } from 'react';
import { api, ApiError } from '../api';
import { formatDate, problemText, useT } from '../i18n';
import { go } from '../route';
import { IdNumberItem } from './IdNumberItem';

interface Status {
  receiptNumber: string;
  stage: string;
  deadlineAt: string;
  pickupStation: { code: string; name: string | null };
}

/** For applicants, no login: receipt number and citizen number → where the application stands, in plain words. */
export default function StatusLookup() {
  const t = useT();
  const [status, setStatus] = useState<Status>();
  const [error, setError] = useState<string>();
  const submit = ({ receiptNumber, idNumber }: { receiptNumber: string; idNumber: string }) => {
    setError(undefined);
    api.post<Status>('v1/application-status', { receiptNumber: receiptNumber.trim(), idNumber: idNumber.trim().toUpperCase() }).then(setStatus, (e: unknown) => {
      setStatus(undefined);
      setError(e instanceof ApiError ? problemText(t.lang, e.code, e.message) : t('error'));
    });
  };
  return (
    <Card title={t('status_title')} style={{ maxWidth: 520, margin: '48px auto' }}>
      <Form layout="vertical" onFinish={submit}>
        <Form.Item label={t('receiptNumber')} name="receiptNumber" rules={[{ required: true, message: t('required') }]}>
          <Input autoComplete="off" placeholder="261130-0000001" />
        </Form.Item>
        <IdNumberItem />
        <Button type="primary" htmlType="submit">{t('status_ask')}</Button>{' '}
        <Button onClick={() => go()}>{t('back')}</Button>
      </Form>
      {error && <Alert type="error" title={error} showIcon role="alert" style={{ marginTop: 16 }} />}
      {status && (
        <Descriptions column={1} bordered style={{ marginTop: 16 }} data-testid="status-answer">
          <Descriptions.Item label={t('stage')}>{t(`status_${status.stage}` as Parameters<typeof t>[0])}</Descriptions.Item>
          <Descriptions.Item label={t('deadline')}>{formatDate(status.deadlineAt, t.lang)}</Descriptions.Item>
          <Descriptions.Item label={t('pickupStation')}>{status.pickupStation.name ?? status.pickupStation.code}</Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}
