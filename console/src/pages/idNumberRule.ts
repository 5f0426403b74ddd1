import type { FormRule } from 'antd';
import { isValidIdNumber } from '../../../domain/idNumber';
import { useT } from '../i18n';

/** A citizen-number field's rules, as the API checks it: given, 18 characters, a valid check digit (GB 11643). */
export function useIdNumberRule(): FormRule[] {
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
