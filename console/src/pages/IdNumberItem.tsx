import { Form, Input, type FormRule } from 'antd';
import type { CSSProperties } from 'react';
import { isValidIdNumber } from '../../../domain/idNumber';
import { useT } from '../i18n';

/** A citizen-number field's rules, as the API checks it: given, 18 characters, a valid check digit (GB 11643). */
function useIdNumberRule(): FormRule[] {
  const t = useT();
  return [
    { required: true, message: t('required') },
    {
      validator: async (_: unknown, value?: string) => {
        const typed = (value ?? '').trim().toUpperCase();
        if (!typed) return;
        if (typed.length !== 18) throw new Error(t('idNumberLength'));
        if (!isValidIdNumber(typed)) throw new Error(t('invalidIdNumber'));
      },
    },
  ];
}

/**
 * A form's citizen-number field (`idNumber` unless named otherwise): checked by the rules above, at
 * most 18 characters, never filled in by the browser (a person's number is not remembered).
 */
export function IdNumberItem({ name = 'idNumber', label, validateTrigger, inputStyle }: { name?: string; label?: string; validateTrigger?: string; inputStyle?: CSSProperties }) {
  const t = useT();
  const rules = useIdNumberRule();
  return (
    <Form.Item label={label ?? t('idNumber')} name={name} rules={rules} validateTrigger={validateTrigger}>
      <Input maxLength={18} autoComplete="off" style={inputStyle} />
    </Form.Item>
  );
}
