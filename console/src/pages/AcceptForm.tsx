import { Alert, Button, Card, Checkbox, Form, Input, Radio } from 'antd';
import { useMemo, useState } from 'react';
import { api, ApiError } from '../api';
import { problemText, useT } from '../i18n';
import { go } from '../route';
import { APPLICATION_KINDS, type CounterApplication } from '../../../domain/eligibility';
import { IdNumberItem } from './IdNumberItem';

/** The form always holds the temporary-card box, ticked or not. */
type Acceptance = CounterApplication & { temporaryCardRequested: boolean };

/** Acceptance at the counter: the citizen number is checked as it is typed, refusals explained before submitting. */
export default function AcceptForm() {
  const t = useT();
  const [form] = Form.useForm<Acceptance>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // One key per form: a double click or a retry after a timeout accepts the application once.
  const idempotencyKey = useMemo(() => crypto.randomUUID(), []);
  const appearanceChanged = Form.useWatch('appearanceChanged', form);

  const submit = (values: Acceptance) => {
    setBusy(true);
    setError(undefined);
    const body = { ...values, idNumber: values.idNumber.trim().toUpperCase(), contactPhone: values.contactPhone || undefined };
    api
      .post<{ applicationId: string }>('v1/applications', body, { 'idempotency-key': idempotencyKey })
      .then((created) => go('receipt', created.applicationId), (e: unknown) => setError(e instanceof ApiError ? problemText(t.lang, e.code, e.message) : t('error')))
      .finally(() => setBusy(false));
  };

  return (
    <Card title={t('station_accept')} style={{ maxWidth: 640 }}>
      {error && <Alert type="error" title={error} showIcon role="alert" style={{ marginBottom: 16 }} data-testid="accept-error" />}
      <Form<Acceptance> form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'renewal', fingerprintCaptured: true, appearanceChanged: false, temporaryCardRequested: false }}>
        <IdNumberItem validateTrigger="onChange" inputStyle={{ fontFamily: 'monospace' }} />
        <Form.Item label={t('name')} name="name" rules={[{ required: true, message: t('required') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('kind')} name="kind">
          <Radio.Group options={APPLICATION_KINDS.map((kind) => ({ value: kind, label: t(`kind_${kind}`) }))} />
        </Form.Item>
        <Form.Item label={t('reason')} name="reason" rules={[{ required: true, message: t('required') }]}>
          <Input />
        </Form.Item>
        <Form.Item name="fingerprintCaptured" valuePropName="checked">
          <Checkbox>{t('fingerprintCaptured')}</Checkbox>
        </Form.Item>
        <Form.Item name="appearanceChanged" valuePropName="checked" extra={appearanceChanged ? t('appearanceRefusal') : undefined}>
          <Checkbox>{t('appearanceChanged')}</Checkbox>
        </Form.Item>
        <Form.Item name="temporaryCardRequested" valuePropName="checked">
          <Checkbox>{t('temporaryCardRequested')}</Checkbox>
        </Form.Item>
        <Form.Item label={t('contactPhone')} name="contactPhone">
          <Input autoComplete="off" inputMode="tel" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('submit')}
        </Button>{' '}
        <Button onClick={() => go()}>{t('cancel')}</Button>
      </Form>
    </Card>
  );
}
