import { Button, Space, Tabs, Typography } from 'antd';
import { useState } from 'react';
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
  const [lossVersion, setLossVersion] = useState(0);
  const [foundVersion, setFoundVersion] = useState(0);
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
            children: (
              <Space orientation="vertical" size="large" style={{ width: '100%' }}>
                <LossReportForm onDone={() => setLossVersion((n) => n + 1)} />
                <Typography.Title level={4} style={{ margin: 0 }}>{t('loss_list')}</Typography.Title>
                <LossReportList key={lossVersion} />
              </Space>
            ),
          },
          {
            key: 'found',
            label: t('found_title'),
            children: (
              <Space orientation="vertical" size="large" style={{ width: '100%' }}>
                <FoundCardForm onDone={() => setFoundVersion((n) => n + 1)} />
                <Typography.Title level={4} style={{ margin: 0 }}>{t('found_list')}</Typography.Title>
                <FoundCardList key={foundVersion} />
              </Space>
            ),
          },
        ]}
      />
    </Space>
  );
}
