import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { makeI18n } from './i18n'
import './style.css'

createApp(App).use(createPinia()).use(makeI18n()).mount('#app')
