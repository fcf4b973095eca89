import { mount } from 'svelte';
import './ui/theme.css';
import './ui/charts/scalar-chart.css';
import App from './ui/App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
export default mount(App, { target });
