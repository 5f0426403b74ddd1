import { Button, Space, Tabs, Typography } from 'antd';
import { useState, type ComponentType } from 'react';
import { useT } from '../i18n';
import { go } from '../route';
import { ApplicationTable } from './ApplicationTable';
import { FoundCardForm, LossReportForm } from './StationDesk';
import { FoundCardList, LossReportList } from './StationRecords';

/**
 * The station's work: accept, then the cards on their way and the ones waiting to be collected; loss
 * reports and found cards, each form above the station's list of them (read again after each entry).
 */
export default function StationHome() {
  const t = useT();
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>{t('role_station')}</Typography.Title>
        <Button type="primary" size="large" onClick={() => go('accept')} data-testid="accept-button">
          {t('station_accept')}
        </Button>
      </Space>
      <Tabs
        items={[
          { key: 'open', label: t('station_inProgress'), children: <ApplicationTable path="v1/applications" testId="station-open" sortByDeadline /> },
          { key: 'arrivals', label: t('station_arrivals'), children: <ApplicationTable path="v1/worklists/arrivals" testId="station-arrivals" /> },
          { key: 'temporary', label: t('temporaryCardsDue'), children: <ApplicationTable path="v1/worklists/temporary-cards" testId="station-temporary" /> },
          { key: 'pickups', label: t('station_pickups'), children: <ApplicationTable path="v1/worklists/pickups" testId="station-pickups" /> },
          {
            key: 'loss',
            label: t('loss_title'),
            children: <FormAboveList Entry={LossReportForm} title={t('loss_list')} List={LossReportList} />,
          },
          {
            key: 'found',
            label: t('found_title'),
            children: <FormAboveList Entry={FoundCardForm} title={t('found_list')} List={FoundCardList} />,
          },
        ]}
      />
    </Space>
  );
}

/** A counter's form above the station's list of what it entered; the list is read again after each entry. */
function FormAboveList({ Entry, title, List }: { Entry: ComponentType<{ onDone?: () => void }>; title: string; List: ComponentType }) {
  const [version, setVersion] = useState(0);
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Entry onDone={() => setVersion((n) => n + 1)} />
      <Typography.Title level={4} style={{ margin: 0 }}>{title}</Typography.Title>
      <List key={version} />
    </Space>
  );
}
