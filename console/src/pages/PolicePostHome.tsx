import { Alert, Button, Card, Checkbox, Descriptions, Form, Input } from 'antd';
import { useState } from 'react';
import { api, ApiError } from '../api';
import { formatDateTime, problemText, useT } from '../i18n';
import { IdNumberItem } from './IdNumberItem';

interface Issued {
  certificateNumber: string;
  issuedAt: string;
  validUntil: string;
}

/** A police post issues a temporary identity certificate (临时身份证明) after checking the person on the spot. */
export default function PolicePostHome() {
  const t = useT();
  const [issued, setIssued] = useState<Issued>();
  const [error, setError] = useState<string>();
  const submit = (values: { idNumber: string; name: string; fingerprintMatched: boolean; photoMatched: boolean }) => {
    setError(undefined);
    api.post<Issued>('v1/temporary-certificates', { ...values, idNumber: values.idNumber.trim().toUpperCase(), name: values.name.trim() }).then(setIssued, (e: unknown) => {
      setIssued(undefined);
      setError(e instanceof ApiError ? problemText(t.lang, e.code, e.message) : t('error'));
    });
  };
  return (
    <Card title={t('cert_title')} style={{ maxWidth: 640 }}>
      <Form layout="vertical" onFinish={submit} initialValues={{ fingerprintMatched: false, photoMatched: false }}>
        <IdNumberItem />
        <Form.Item label={t('name')} name="name" rules={[{ required: true, message: t('required') }]}><Input autoComplete="off" /></Form.Item>
        <Form.Item name="fingerprintMatched" valuePropName="checked"><Checkbox>{t('loss_fingerprint')}</Checkbox></Form.Item>
        <Form.Item name="photoMatched" valuePropName="checked"><Checkbox>{t('cert_photo')}</Checkbox></Form.Item>
        <Button type="primary" htmlType="submit">{t('cert_issue')}</Button>
      </Form>
      {error && <Alert style={{ marginTop: 16 }} type="error" title={error} showIcon role="alert" />}
      {issued && (
        <Descriptions style={{ marginTop: 16 }} bordered column={1}>
          <Descriptions.Item label={t('cert_number')}>{issued.certificateNumber}</Descriptions.Item>
          <Descriptions.Item label={t('cert_validUntil')}>{formatDateTime(issued.validUntil, t.lang)}</Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}
