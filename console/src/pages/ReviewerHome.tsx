import { Typography } from 'antd';
import { useT } from '../i18n';
import { ApplicationTable } from './ApplicationTable';

/** The home region's review queue: applications waiting, nearest deadline first. */
export default function ReviewerHome() {
  const t = useT();
  return (
    <>
      <Typography.Title level={3}>{t('reviewer_waiting')}</Typography.Title>
      <ApplicationTable path="v1/applications?stage=HOME_REVIEW" testId="reviewer-waiting" />
    </>
  );
}
