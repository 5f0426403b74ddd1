import { Alert, Button, Card, Checkbox, DatePicker, Form, Input, Radio } from 'antd';
import { useState } from 'react';
import { api, ApiError } from '../api';
import { problemText, useT } from '../i18n';
import { IdNumberItem } from './IdNumberItem';

type DateValue = { format(pattern: string): string };

/** A loss report at the counter (挂失申报): from its answer on, the card reads invalid to every unit. */
export function LossReportForm({ onDone }: { onDone?: () => void } = {}) {
  const t = useT();
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const submit = (values: { idNumber: string; name: string; cardValidFrom: DateValue; circumstance: string; fingerprintMatched: boolean }) =>
    api
      .post<{ lossReportId: string }>('v1/loss-reports', {
        idNumber: values.idNumber.trim().toUpperCase(),
        name: values.name.trim(),
        cardValidFrom: values.cardValidFrom.format('YYYY-MM-DD'),
        circumstance: values.circumstance,
        fingerprintMatched: values.fingerprintMatched,
      })
      .then(() => { setResult({ ok: true, text: t('loss_done') }); onDone?.(); }, (e: unknown) => setResult({ ok: false, text: e instanceof ApiError ? problemText(t.lang, e.code, e.message) : t('error') }));
  return (
    <Card title={t('loss_title')} style={{ maxWidth: 640 }}>
      <Form layout="vertical" onFinish={submit} initialValues={{ circumstance: 'lost', fingerprintMatched: false }}>
        <IdNumberItem />
        <Form.Item label={t('name')} name="name" rules={[{ required: true, message: t('required') }]}><Input autoComplete="off" /></Form.Item>
        <Form.Item label={t('cardValidFrom')} name="cardValidFrom" rules={[{ required: true, message: t('required') }]}><DatePicker /></Form.Item>
        <Form.Item label={t('loss_circumstance')} name="circumstance">
          <Radio.Group options={[{ value: 'lost', label: t('loss_lost') }, { value: 'stolen', label: t('loss_stolen') }]} />
        </Form.Item>
        <Form.Item name="fingerprintMatched" valuePropName="checked"><Checkbox>{t('loss_fingerprint')}</Checkbox></Form.Item>
        <Button type="primary" htmlType="submit" data-testid="loss-submit">{t('submit')}</Button>
      </Form>
      {result && <Alert style={{ marginTop: 16 }} type={result.ok ? 'success' : 'error'} title={result.text} showIcon role="status" data-testid="loss-result" />}
    </Card>
  );
}

/** A card handed in at the counter (丢失招领): registered, and told whether to hold it for the owner or destroy it. */
export function FoundCardForm({ onDone }: { onDone?: () => void } = {}) {
  const t = useT();
  const [result, setResult] = useState<{ ok: boolean; text: string }>();
  const submit = (values: { idNumber: string; cardValidFrom: DateValue }) =>
    api
      .post<{ disposition: string }>('v1/found-cards', { idNumber: values.idNumber.trim().toUpperCase(), cardValidFrom: values.cardValidFrom.format('YYYY-MM-DD') })
      .then(
        (answer) => {
          setResult({ ok: true, text: t(answer.disposition === 'DESTROY' ? 'found_destroy' : 'found_hold') });
          onDone?.();
        },
        (e: unknown) => setResult({ ok: false, text: e instanceof ApiError ? problemText(t.lang, e.code, e.message) : t('error') }),
      );
  return (
    <Card title={t('found_title')} style={{ maxWidth: 640 }}>
      <Form layout="vertical" onFinish={submit}>
        <IdNumberItem />
        <Form.Item label={t('cardValidFrom')} name="cardValidFrom" rules={[{ required: true, message: t('required') }]}><DatePicker /></Form.Item>
        <Button type="primary" htmlType="submit">{t('submit')}</Button>
      </Form>
      {result && <Alert style={{ marginTop: 16 }} type={result.ok ? 'success' : 'error'} title={result.text} showIcon role="status" />}
    </Card>
  );
}
