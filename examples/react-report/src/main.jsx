import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import '../../style.css';
import { App } from './App.jsx';

// StrictMode mounts, unmounts and remounts every component in development:
// the hooks' shared connections survive that without reconnecting.
createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
