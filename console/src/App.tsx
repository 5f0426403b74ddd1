import { App as AntApp, Button, ConfigProvider, Layout, Result, Space, Spin, Tag, Typography } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { currentSession, logOut, setApiLanguage, type SessionUser } from './api';
import { LangContext, translate, type Lang } from './i18n';
import { go, useRoute } from './route';

// One chunk per route: the login screen loads none of the work pages.
const Login = lazy(() => import('./pages/Login'));
const StationHome = lazy(() => import('./pages/StationHome'));
const AcceptForm = lazy(() => import('./pages/AcceptForm'));
const Receipt = lazy(() => import('./pages/Receipt'));
const ReviewerHome = lazy(() => import('./pages/ReviewerHome'));
const ProductionHome = lazy(() => import('./pages/ProductionHome'));
const ManagerHome = lazy(() => import('./pages/ManagerHome'));
const AdminHome = lazy(() => import('./pages/AdminHome'));
const PolicePostHome = lazy(() => import('./pages/PolicePostHome'));
const ApplicationPage = lazy(() => import('./pages/ApplicationPage'));
const StationCases = lazy(() => import('./pages/StationCases'));
const StatusLookup = lazy(() => import('./pages/StatusLookup'));

const LANG_KEY = 'console.lang';

function Landing({ user }: { user: SessionUser }) {
  switch (user.role) {
    case 'station':
      return <StationHome />;
    case 'reviewer':
      return <ReviewerHome />;
    case 'production':
      return <ProductionHome />;
    case 'manager':
      return <ManagerHome user={user} />;
    case 'police_post':
      return <PolicePostHome />;
    default:
      return <AdminHome user={user} />;
  }
}

function Page({ user }: { user: SessionUser }) {
  const [first, second] = useRoute();
  if (first === 'applications' && second) return <ApplicationPage id={second} user={user} />;
  if (first === 'accept' && user.role === 'station') return <AcceptForm />;
  if (first === 'receipt' && second) return <Receipt id={second} />;
  if (first === 'stations' && second && user.role === 'manager') return <StationCases code={second} />;
  return <Landing user={user} />;
}

export function App() {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh'));
  setApiLanguage(lang);
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  const route = useRoute();
  const t = (key: Parameters<typeof translate>[1]) => translate(lang, key);
  const setLang = (next: Lang) => {
    localStorage.setItem(LANG_KEY, next);
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    setLangState(next);
  };
  const langValue = useMemo(() => ({ lang, setLang }), [lang]);

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    currentSession().then((found) => setUser(found ?? null), () => setFailed(true));
    // Once only: the session is read when the console opens.
  }, []);

  const content = route[0] === 'status' ? (
    <StatusLookup />
  ) : failed ? (
    <Result status="error" title={t('error')} />
  ) : user === undefined ? (
    <Spin />
  ) : user === null ? (
    <Login onLoggedIn={setUser} />
  ) : (
    <Page user={user} />
  );

  return (
    <LangContext.Provider value={langValue}>
      <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} button={{ autoInsertSpace: false }} theme={{ token: { colorPrimary: '#1f4e9c' } }}>
        <AntApp>
          <Layout style={{ minHeight: '100vh' }}>
            <Layout.Header className="no-print" style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', background: '#1f4e9c' }}>
              <Typography.Link href="#/" style={{ color: '#fff', fontSize: 18 }}>{t('appTitle')}</Typography.Link>
              <Space>
                {user && (
                  <>
                    <Tag color="gold">{t(`role_${user.role}`)}</Tag>
                    <span style={{ color: '#fff' }} data-testid="user-name">{user.name}</span>
                  </>
                )}
                <Button size="small" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} lang={lang === 'zh' ? 'en' : 'zh-CN'}>
                  {t('switchLang')}
                </Button>
                {user && (
                  <Button size="small" onClick={() => logOut().finally(() => { setUser(null); go(); })}>
                    {t('logout')}
                  </Button>
                )}
              </Space>
            </Layout.Header>
            <Layout.Content style={{ padding: 24, maxWidth: 1200, width: '100%', margin: '0 auto' }}>
              <Suspense fallback={<Spin />}>{content}</Suspense>
            </Layout.Content>
          </Layout>
        </AntApp>
      </ConfigProvider>
    </LangContext.Provider>
  );
}
