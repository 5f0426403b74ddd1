import { Alert, Form, Modal } from 'antd';
import { useState, type ReactNode } from 'react';
import { ApiError } from '../api';
import { problemText, useT } from '../i18n';

/** A form in a dialog whose refusal by the API stays in the dialog, in the console's language. */
export function FormDialog<V>({ title, open, onClose, onSubmit, testId, children }: { title: string; open: boolean; onClose: () => void; onSubmit: (values: V) => Promise<unknown>; testId: string; children: ReactNode }) {
  const t = useT();
  const [form] = Form.useForm();
  const [problem, setProblem] = useState<string>();
  const submit = (values: V) =>
    onSubmit(values).then(
      () => {
        setProblem(undefined);
        form.resetFields();
        onClose();
      },
      (e: unknown) => setProblem(e instanceof ApiError ? problemText(t.lang, e.code, e.message) : t('error')),
    );
  return (
    <Modal title={title} open={open} onCancel={() => { setProblem(undefined); onClose(); }} onOk={() => form.submit()} okText={t('submit')} cancelText={t('cancel')} destroyOnHidden data-testid={testId}>
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 12 }} data-testid={`${testId}-problem`} />}
      <Form form={form} layout="vertical" onFinish={submit}>
        {children}
      </Form>
    </Modal>
  );
}
