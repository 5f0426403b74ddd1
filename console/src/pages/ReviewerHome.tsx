import { Tabs, Typography } from 'antd';
import { useT } from '../i18n';
import { ApplicationTable } from './ApplicationTable';

/** The home region's review queue: applications waiting, nearest deadline first. */
export default function ReviewerHome() {
  const t = useT();
  return (
    <>
      <Typography.Title level={3}>{t('role_reviewer')}</Typography.Title>
      <Tabs
        items={[
          { key: 'review', label: t('reviewer_waiting'), children: <ApplicationTable path="v1/worklists/review" testId="reviewer-waiting" /> },
          { key: 'temporary', label: t('temporaryCardsDue'), children: <ApplicationTable path="v1/worklists/temporary-cards" testId="reviewer-temporary" /> },
        ]}
      />
    </>
  );
}
