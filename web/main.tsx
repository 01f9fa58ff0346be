import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './App.js';
import { ApiError } from './api/client.js';
import { startSession } from './api/session.js';
import './global.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // The event stream keeps data fresh; refetching is for what it cannot patch.
      staleTime: 30_000,
      // A 4xx will not fix itself by asking again; network hiccups might.
      retry: (failures, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && failures < 2,
    },
  },
});

// The session must exist before the first query, or the app would flash the sign-in page.
void startSession().finally(() => {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
});
