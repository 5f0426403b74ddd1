import { Tabs, Typography } from 'antd';
import { useT } from '../i18n';
import { ApplicationTable } from './ApplicationTable';

/** The production centre: cards to print (and dispatch once printed), then what is on its way. */
export default function ProductionHome() {
  const t = useT();
  return (
    <>
      <Typography.Title level={3}>{t('role_production')}</Typography.Title>
      <Tabs
        items={[
          { key: 'print', label: t('production_toPrint'), children: <ApplicationTable path="v1/worklists/printing" testId="production-print" showStation /> },
          { key: 'shipping', label: t('production_shipping'), children: <ApplicationTable path="v1/applications?stage=SHIPPING" testId="production-shipping" showStation sortByDeadline /> },
        ]}
      />
    </>
  );
}
